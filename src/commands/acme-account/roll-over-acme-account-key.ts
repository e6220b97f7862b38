import { assertAcmeAccountCan } from '../../domain/acme-account/decider.js';
import type { RecordAcmeAccountKeyRollover } from '../../domain/acme-account/commands.js';
import type { AccountKeyTechnology, AcmeAccountKeyFacts } from '../../domain/acme-account/defaults.js';
import { IllegalStateError, ValidationError } from '../../domain/shared/errors.js';
import { signKeyChange } from '../../infra/acme/index.js';
import { acmeStep } from '../acme/exchange-collector.js';
import type { CommandContext } from '../handle.js';
import { claimAndStoreAccountKey, generatePreparedAccountKey, type PreparedAccountKey } from './account-key.js';
import type { AcmeCommandDeps } from './deps.js';
import { loadAcmeAccount } from './load.js';
import { recordAccountStep } from './record-step.js';

export type NewAccountKey = { generate?: AccountKeyTechnology } | { prepared: PreparedAccountKey };

/**
 * Key rollover (RFC 8555 §7.3.5): the new key signs the inner JWS (`jwk`, `url`, no nonce) over
 * `{account, oldKey}`; the old key signs the outer request with the account URL as `kid`. The
 * new key is claimed and in the vault before the request, so a success is never without its key;
 * the old key stays in the vault, retired. A new key generated like the old one unless told.
 */
export async function rollOverAcmeAccountKey(
  deps: AcmeCommandDeps,
  acmeAccountId: string,
  newKey: NewAccountKey,
  context: CommandContext = {},
): Promise<{ oldKeyId: string; newKey: AcmeAccountKeyFacts; position: bigint | null }> {
  const account = assertAcmeAccountCan(await loadAcmeAccount(deps.store, acmeAccountId), 'keyChange', acmeAccountId);
  const prepared = 'prepared' in newKey ? newKey.prepared : await generatePreparedAccountKey(newKey.generate ?? account.key.keyTechnology);
  if (prepared.facts.keyId === account.key.keyId) throw new ValidationError({ key_pem: "is the account's current key" });
  const session = await deps.acme.open(acmeAccountId);
  const { keyChange } = await session.transport.directory();
  if (!keyChange) throw new IllegalStateError(`ACME server ${account.acmeServerId} offers no keyChange resource (RFC 8555 §7.1.1)`);
  await claimAndStoreAccountKey(deps, acmeAccountId, prepared);

  const step = await acmeStep(async () => {
    const inner = await signKeyChange({ newKey: prepared.signer, oldPublicJwk: session.signer.publicJwk, accountUrl: session.accountUrl, keyChangeUrl: keyChange });
    return session.transport.post(keyChange, inner, session.signer, { kind: 'keyChange' });
  });
  const { handled } = await recordAccountStep<unknown, RecordAcmeAccountKeyRollover>(
    deps.store, acmeAccountId, step,
    (result) => ({ type: 'RecordAcmeAccountKeyRollover', acmeAccountId, result, exchanges: step.exchanges, now: deps.now().toISOString() }),
    () => ({ ok: true, newKey: prepared.facts }),
    context,
  );
  return { oldKeyId: account.key.keyId, newKey: prepared.facts, position: handled.position };
}
