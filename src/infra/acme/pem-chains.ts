/**
 * `application/pem-certificate-chain` (RFC 8555 §9.1): the end-entity certificate first, then
 * the issuers, each a `CERTIFICATE` block (RFC 7468 §5). Validating the certificates
 * themselves is the X.509 layer's job; this only cuts the body into blocks.
 */
import { createHash } from 'node:crypto';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

export class AcmeChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AcmeChainError';
  }
}

/** Each certificate as normalised PEM (64-column body, `\n` endings, trailing newline), in order. */
export function splitPemCertificateChain(body: string): string[] {
  const pems: string[] = [];
  for (const match of body.matchAll(CERTIFICATE_BLOCK)) {
    const base64 = (match[1] ?? '').replace(/\s+/g, '');
    if (base64 === '' || Buffer.from(base64, 'base64').toString('base64') !== base64) {
      throw new AcmeChainError(`Certificate ${pems.length + 1} of the chain is not valid base64`);
    }
    const lines = base64.match(/.{1,64}/g) ?? [];
    pems.push(`-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`);
  }
  if (pems.length === 0) throw new AcmeChainError('The certificate chain holds no CERTIFICATE block');
  return pems;
}

/** SHA-256 of the DER, lower-case hex: how the catalog names a certificate. */
export function pemSha256(pem: string): string {
  const base64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
}
