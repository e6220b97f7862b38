import { certificateDecider } from '../../domain/certificate/decider.js';
import { privateKeyDecider } from '../../domain/private-key/decider.js';
import { IllegalStateError } from '../../domain/shared/errors.js';
import { streams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { ids } from '../../infra/ids.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { ParsedCertificate } from '../../infra/x509/certificate.js';
import type { ParsedPrivateKey } from '../../infra/x509/private-key.js';
import { certificateFacts } from '../ca-certificate/import-ca-certificate.js';
import { importCaChain, maxPosition } from '../ca-chain/import-ca-chain.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ImportCertificateDeps = { store: EventStore; vault: KeyVault; now: () => Date };

export type CertificateImport = {
  certificate: ParsedCertificate;
  privateKey: ParsedPrivateKey;
  /** Every chain that signs it, each issuer first; the first is the default (the one the CA sent first). */
  chains: ParsedCertificate[][];
  isExpired: boolean;
};

export type ImportCertificateResult = {
  certificateId: string;
  privateKeyId: string;
  /** The first (default) chain given. */
  caChainId: string;
  /** Every chain given, in order; the certificate is linked to each. */
  caChainIds: string[];
  /** The default chain's CA certificates, issuer first. */
  caCertificateIds: string[];
  /** false when the certificate was known already. */
  created: boolean;
  isExpired: boolean;
  position: bigint;
};

/**
 * Key, CA certificates, chains, then the certificate: each its own stream and each idempotent,
 * so a retry after a crash part-way finishes the import without duplicating anything. A known
 * certificate imported again with a chain it does not have yet gains it as an alternate.
 */
export async function importCertificate(
  deps: ImportCertificateDeps,
  input: CertificateImport,
  context: CommandContext = {},
): Promise<ImportCertificateResult> {
  const now = deps.now().toISOString();
  const { certificate, privateKey } = input;
  if (input.chains.length === 0) throw new IllegalStateError('a certificate is imported with at least one chain');
  const privateKeyId = ids.privateKey(privateKey.spkiSha256);

  // The key material goes to the vault first: an event must never name a key the vault lacks.
  await deps.vault.put(privateKeyId, privateKey.pkcs8Der);
  const positions: (bigint | null)[] = [];
  positions.push((await handleCommand(deps.store, streams.privateKey(privateKeyId), privateKeyDecider, {
    type: 'ImportPrivateKey', privateKeyId, keyTechnology: privateKey.keyTechnology, spkiSha256: privateKey.spkiSha256, source: 'upload', now,
  }, context, { retries: 3 })).position);

  const chains = [];
  for (const chain of input.chains) {
    const imported = await importCaChain(deps, chain, { source: 'certificate-upload' }, context);
    chains.push(imported);
    positions.push(imported.position);
  }

  const certificateId = ids.certificate(certificate.fingerprintSha256);
  const handled = await handleCommand(deps.store, streams.certificate(certificateId), certificateDecider, {
    type: 'ImportCertificate',
    certificateId,
    facts: certificateFacts(certificate),
    domainNames: certificate.domainNames,
    uniqueFqdnSetId: ids.uniqueFqdnSet(certificate.domainNames),
    privateKeyId,
    keyTechnology: privateKey.keyTechnology,
    isExpired: input.isExpired,
    caChainIds: chains.map((c) => c.caChainId),
    now,
  }, context, { retries: 3 });
  positions.push(handled.position);

  return {
    certificateId,
    privateKeyId,
    caChainId: chains[0]!.caChainId,
    caChainIds: chains.map((c) => c.caChainId),
    caCertificateIds: chains[0]!.caCertificateIds,
    created: handled.events.some((e) => e.type === 'CertificateImported'),
    isExpired: input.isExpired,
    position: maxPosition(positions),
  };
}
