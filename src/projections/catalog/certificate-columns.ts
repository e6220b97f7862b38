import type { CertificateFacts } from '../../domain/shared/x509-facts.js';

/** The public X.509 facts as the shared columns of certificates and ca_certificates. */
export const certificateFactColumns = (facts: CertificateFacts) => ({
  pem: facts.pem,
  fingerprint_sha1: facts.fingerprintSha1,
  fingerprint_sha256: facts.fingerprintSha256,
  spki_sha256: facts.spkiSha256,
  serial: facts.serial,
  subject: facts.subject,
  issuer: facts.issuer,
  not_before: facts.notBefore,
  not_after: facts.notAfter,
});
