import { caCertificateDecider } from '../../domain/ca-certificate/decider.js';
import { caChainDecider } from '../../domain/ca-chain/decider.js';
import { certificateDecider } from '../../domain/certificate/decider.js';
import { privateKeyDecider } from '../../domain/private-key/decider.js';
import { streams } from '../../domain/shared/ids.js';
import type { CertificateFacts } from '../../domain/shared/x509-facts.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { ids } from '../../infra/ids.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { CertificateBundle } from '../../infra/x509/bundle.js';
import type { ParsedCertificate } from '../../infra/x509/certificate.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ImportCertificateDeps = { store: EventStore; vault: KeyVault; now: () => Date };

export type ImportCertificateResult = {
  certificateId: string;
  privateKeyId: string;
  caChainId: string;
  caCertificateIds: string[];
  /** false when the certificate was known already. */
  created: boolean;
  isExpired: boolean;
  position: bigint;
};

const factsOf = (c: ParsedCertificate): CertificateFacts => ({
  pem: c.pem,
  fingerprintSha1: c.fingerprintSha1,
  fingerprintSha256: c.fingerprintSha256,
  spkiSha256: c.spkiSha256,
  serial: c.serial,
  subject: c.subject,
  issuer: c.issuer,
  notBefore: c.notBefore,
  notAfter: c.notAfter,
});

const maxPosition = (positions: (bigint | null)[]): bigint =>
  positions.reduce<bigint>((max, p) => (p !== null && p > max ? p : max), 0n);

/**
 * Key, CA certificates, chain, then the certificate: each its own stream and each idempotent,
 * so a retry after a crash part-way finishes the import without duplicating anything.
 */
export async function importCertificate(
  deps: ImportCertificateDeps,
  bundle: CertificateBundle,
  context: CommandContext = {},
): Promise<ImportCertificateResult> {
  const now = deps.now().toISOString();
  const { certificate, privateKey, chain } = bundle;
  const privateKeyId = ids.privateKey(privateKey.spkiSha256);

  // The key material goes to the vault first: an event must never name a key the vault lacks.
  await deps.vault.put(privateKeyId, privateKey.pkcs8Der);
  const positions: (bigint | null)[] = [];
  positions.push((await handleCommand(deps.store, streams.privateKey(privateKeyId), privateKeyDecider, {
    type: 'ImportPrivateKey', privateKeyId, keyTechnology: privateKey.keyTechnology, spkiSha256: privateKey.spkiSha256, source: 'upload', now,
  }, context, { retries: 3 })).position);

  const caCertificateIds: string[] = [];
  for (const ca of chain) {
    const caCertificateId = ids.caCertificate(ca.fingerprintSha256);
    caCertificateIds.push(caCertificateId);
    positions.push((await handleCommand(deps.store, streams.caCertificate(caCertificateId), caCertificateDecider, {
      type: 'ImportCaCertificate', caCertificateId, facts: factsOf(ca), isSelfSigned: ca.isSelfSigned, now,
    }, context, { retries: 3 })).position);
  }

  const caChainId = ids.caChain(chain.map((c) => c.fingerprintSha256));
  positions.push((await handleCommand(deps.store, streams.caChain(caChainId), caChainDecider, {
    type: 'ImportCaChain', caChainId, caCertificateIds, now,
  }, context, { retries: 3 })).position);

  const certificateId = ids.certificate(certificate.fingerprintSha256);
  const handled = await handleCommand(deps.store, streams.certificate(certificateId), certificateDecider, {
    type: 'ImportCertificate',
    certificateId,
    facts: factsOf(certificate),
    domainNames: certificate.domainNames,
    uniqueFqdnSetId: ids.uniqueFqdnSet(certificate.domainNames),
    privateKeyId,
    keyTechnology: privateKey.keyTechnology,
    isExpired: bundle.isExpired,
    caChainIds: [caChainId],
    now,
  }, context, { retries: 3 });
  positions.push(handled.position);

  return {
    certificateId,
    privateKeyId,
    caChainId,
    caCertificateIds,
    created: handled.events.some((e) => e.type === 'CertificateImported'),
    isExpired: bundle.isExpired,
    position: maxPosition(positions),
  };
}
