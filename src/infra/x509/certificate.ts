/** Certificates as parsed at the edge: the public facts carried in events, plus what checks need. */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import { createHash, createPublicKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateFacts } from '../../domain/shared/x509-facts.js';
import { DomainNameError, normaliseDomainName, uniqueFqdnSet } from './domain-names.js';
import { decodePemOrDer, derObjectLength, toPem, X509ParseError } from './pem.js';

export { X509ParseError } from './pem.js';

export type ParsedCertificate = CertificateFacts & {
  der: Buffer;
  isCa: boolean;
  isSelfSigned: boolean;
  /** SAN dNSName and iPAddress entries, normalised, sorted; subject CN only when there is no SAN. */
  domainNames: string[];
  /** SubjectPublicKeyInfo DER, to match a private key against. */
  spkiDer: Buffer;
  /** AIA "CA Issuers" URIs (RFC 5280 §4.2.2.1): where the issuer's certificate can be downloaded. */
  aiaCaIssuersUrls: string[];
  /** Key identifiers (RFC 5280 §4.2.1.1-2), lower-case hex; chain building matches them. */
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  x509: x509.X509Certificate;
};

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

/** A file holding exactly one certificate, PEM or DER. */
export function parseCertificate(input: Buffer | string): ParsedCertificate {
  const certificates = parseCertificates(input);
  if (certificates.length !== 1) {
    throw new X509ParseError(`contains ${certificates.length} certificates, expected 1`);
  }
  return certificates[0]!;
}

/** A chain file: one or more PEM certificate blocks in file order, or a single DER certificate. */
export function parseCertificates(input: Buffer | string): ParsedCertificate[] {
  const decoded = decodePemOrDer(input, 'certificate');
  if (decoded.kind === 'der') return [fromDer(decoded.der)];
  return decoded.blocks.map((block, index) => {
    if (!CERTIFICATE_LABELS.has(block.label)) {
      throw new X509ParseError(`block ${index + 1} is a "${block.label}", expected a CERTIFICATE`);
    }
    return fromDer(block.der, decoded.blocks.length > 1 ? index + 1 : undefined);
  });
}

function fromDer(der: Buffer, position?: number): ParsedCertificate {
  const where = position === undefined ? '' : ` (certificate ${position})`;
  if (derObjectLength(der) !== der.length) {
    throw new X509ParseError(`not a PEM or DER certificate${where}: bad DER length`);
  }
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch (error) {
    throw new X509ParseError(`not a PEM or DER certificate${where}`, { cause: error });
  }
  const spkiDer = canonicalSpki(Buffer.from(cert.publicKey.rawData));
  const isCa = cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
  return {
    pem: toPem('CERTIFICATE', der),
    der: Buffer.from(der),
    fingerprintSha1: hash('sha1', der),
    fingerprintSha256: hash('sha256', der),
    spkiSha256: hash('sha256', spkiDer),
    serial: normaliseSerial(cert.serialNumber),
    subject: rfc4514(cert.subjectName),
    issuer: rfc4514(cert.issuerName),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    isCa,
    isSelfSigned: selfSigned(der, cert),
    domainNames: domainNamesOf(cert, isCa, where),
    spkiDer,
    ...extensionsOf(cert),
    x509: cert,
  };
}

/** Malformed optional extensions are ignored rather than refusing the certificate: they only help chain building. */
function extensionsOf(cert: x509.X509Certificate): Pick<ParsedCertificate, 'aiaCaIssuersUrls' | 'subjectKeyId' | 'authorityKeyId'> {
  const safe = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch {
      return fallback;
    }
  };
  const aia = safe(() => cert.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers ?? [], []);
  return {
    aiaCaIssuersUrls: [...new Set(aia.filter((name) => name.type === 'url').map((name) => name.value))],
    subjectKeyId: safe(() => cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId?.toLowerCase() ?? null, null),
    authorityKeyId: safe(() => cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase() ?? null, null),
  };
}

function hash(algorithm: 'sha1' | 'sha256', data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/**
 * node:crypto's re-encoding of the SubjectPublicKeyInfo, the same encoding private-key.ts derives
 * from a key, so certificate and key SPKI hashes match even if a CA encoded the point compressed.
 */
function canonicalSpki(raw: Buffer): Buffer {
  try {
    return createPublicKey({ key: raw, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
  } catch {
    return raw;
  }
}

function normaliseSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** Subject equals issuer and the certificate verifies under its own key (node:crypto: synchronous). */
function selfSigned(der: Buffer, cert: x509.X509Certificate): boolean {
  if (!Buffer.from(cert.subjectName.toArrayBuffer()).equals(Buffer.from(cert.issuerName.toArrayBuffer()))) return false;
  try {
    const node = new NodeX509Certificate(der);
    return node.verify(node.publicKey);
  } catch {
    // A key type node cannot verify with: it cannot be proved self-signed, so it is not treated as such.
    return false;
  }
}

function domainNamesOf(cert: x509.X509Certificate, isCa: boolean, where: string): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value) ?? [];
  if (names.length > 0) {
    try {
      return uniqueFqdnSet(names);
    } catch (error) {
      if (error instanceof DomainNameError) throw new X509ParseError(`${error.message}${where}`, { cause: error });
      throw error;
    }
  }
  // Legacy leaves name their host in the CN only; a CA's CN ("R3", "ISRG Root X1") names no host.
  if (isCa) return [];
  return cert.subjectName.getField('CN').flatMap((cn) => {
    try {
      return [normaliseDomainName(cn)];
    } catch {
      return [];
    }
  });
}

/** RFC 4514: RDNs last-to-first, comma-separated, special characters escaped. */
export function rfc4514(name: x509.Name): string {
  return name
    .toJSON()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([type, values]) => values.map((value) => `${type}=${escapeValue(value)}`))
        .join('+'),
    )
    .reverse()
    .join(',');
}

function escapeValue(value: string): string {
  // toJSON already renders non-string values as "#hex", which RFC 4514 §2.4 writes unescaped.
  if (/^#[0-9a-f]*$/i.test(value)) return value;
  return value
    .replace(/[\\"+,;<>]/g, (c) => `\\${c}`)
    .replace(/\0/g, '\\00')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}
