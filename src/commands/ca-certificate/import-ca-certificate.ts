import { caCertificateDecider } from '../../domain/ca-certificate/decider.js';
import type { CaCertificateSource } from '../../domain/ca-certificate/events.js';
import { streams } from '../../domain/shared/ids.js';
import type { CertificateFacts } from '../../domain/shared/x509-facts.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { ids } from '../../infra/ids.js';
import type { ParsedCertificate } from '../../infra/x509/certificate.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type CaImportDeps = { store: EventStore; now: () => Date };
export type CaOrigin = { source: CaCertificateSource; sourceUrl?: string };

export type ImportCaCertificateResult = {
  caCertificateId: string;
  /** false when a CA certificate with that fingerprint was known already. */
  created: boolean;
  position: bigint | null;
};

/** The public facts every certificate event carries, leaf or CA. */
export const certificateFacts = (c: ParsedCertificate): CertificateFacts => ({
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

/** De-duplicated by fingerprint: the id derives from the SHA-256 fingerprint, and a known stream decides nothing. */
export async function importCaCertificate(
  deps: CaImportDeps,
  ca: ParsedCertificate,
  origin: CaOrigin,
  context: CommandContext = {},
): Promise<ImportCaCertificateResult> {
  const caCertificateId = ids.caCertificate(ca.fingerprintSha256);
  const handled = await handleCommand(deps.store, streams.caCertificate(caCertificateId), caCertificateDecider, {
    type: 'ImportCaCertificate',
    caCertificateId,
    facts: certificateFacts(ca),
    isSelfSigned: ca.isSelfSigned,
    ...origin,
    extensions: { aiaCaIssuersUrls: ca.aiaCaIssuersUrls, subjectKeyId: ca.subjectKeyId, authorityKeyId: ca.authorityKeyId },
    now: deps.now().toISOString(),
  }, context, { retries: 3 });
  return { caCertificateId, created: handled.events.length > 0, position: handled.position };
}
