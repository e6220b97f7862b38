/** Public facts of an X.509 certificate, as parsed at the edge and carried in events. */
export type CertificateFacts = {
  pem: string;
  fingerprintSha1: string;
  fingerprintSha256: string;
  spkiSha256: string;
  serial: string;
  subject: string;
  issuer: string;
  /** ISO-8601 UTC */
  notBefore: string;
  /** ISO-8601 UTC */
  notAfter: string;
};

/** e.g. RSA_2048, EC_P256, EC_P384, ED25519 */
export type KeyTechnology = string;
