import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { acmeAccountKeyClaimDecider } from '../../domain/acme-account/key-claim-decider.js';
import type { AccountKeyTechnology, AcmeAccountKeyFacts } from '../../domain/acme-account/defaults.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import {
  createAcmeSigner,
  generateAccountKey,
  toPrivateKeyObject,
  type AccountKeyInput,
  type AccountKeySpec,
  type AcmeSigner,
} from '../../infra/acme/index.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { deterministicId } from '../../infra/ids.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { handleCommand } from '../handle.js';

/** A key ready to serve an account: its public facts, its signer (no kid yet) and its PKCS#8 for the vault. */
export type PreparedAccountKey = {
  facts: AcmeAccountKeyFacts;
  signer: AcmeSigner;
  pkcs8Der: Buffer;
};

const SPECS: Record<AccountKeyTechnology, AccountKeySpec> = {
  RSA_2048: { type: 'rsa', bits: 2048 },
  RSA_3072: { type: 'rsa', bits: 3072 },
  RSA_4096: { type: 'rsa', bits: 4096 },
  EC_P256: { type: 'ec', curve: 'P-256' },
  EC_P384: { type: 'ec', curve: 'P-384' },
};

/**
 * Account keys have their own id space (not `ids.privateKey`): the vault entry of an account key
 * is never the entry of a certificate key, so shredding or downloading one never touches the other.
 * The SPKI digest is in the facts, so "is this certificate key an account key" stays a lookup.
 */
export const accountKeyId = (spkiSha256: string): string => deterministicId('acmeAccountKey', spkiSha256);

/** RSA 2048/3072/4096, EC P-256/P-384 (`jwsAlgorithmFor` refuses anything else). */
function technologyOf(key: KeyObject): AccountKeyTechnology {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details.modulusLength}` as AccountKeyTechnology;
  return details.namedCurve === 'secp384r1' || details.namedCurve === 'P-384' ? 'EC_P384' : 'EC_P256';
}

/** Throws UnsupportedAccountKeyError for a key that cannot sign ACME requests. */
export async function prepareAccountKey(input: AccountKeyInput, source: AcmeAccountKeyFacts['source']): Promise<PreparedAccountKey> {
  const key = toPrivateKeyObject(input);
  const signer = await createAcmeSigner(key);
  const spkiSha256 = createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex');
  return {
    facts: { keyId: accountKeyId(spkiSha256), keyTechnology: technologyOf(key), jwkThumbprint: signer.thumbprint, spkiSha256, source },
    signer,
    pkcs8Der: key.export({ type: 'pkcs8', format: 'der' }),
  };
}

export async function generatePreparedAccountKey(technology: AccountKeyTechnology): Promise<PreparedAccountKey> {
  return prepareAccountKey(await generateAccountKey(SPECS[technology]), 'generated');
}

/**
 * Binds the key to the account for good (409 when it serves another one), then puts it in the
 * vault. The claim comes first: a key that another account holds is never written again.
 */
export async function claimAndStoreAccountKey(
  deps: { store: EventStore; vault: KeyVault; now: () => Date },
  acmeAccountId: string,
  key: PreparedAccountKey,
): Promise<void> {
  await handleCommand(deps.store, acmeStreams.acmeAccountKey(key.facts.keyId), acmeAccountKeyClaimDecider, {
    type: 'ClaimAcmeAccountKey', keyId: key.facts.keyId, acmeAccountId, now: deps.now().toISOString(),
  }, {}, { retries: 3 });
  await deps.vault.put(key.facts.keyId, key.pkcs8Der);
}
