/**
 * parse.json: the decoded public facts of a certificate, CA certificate, CSR or private key.
 * A private key is described by its public half only; no key byte reaches the result.
 */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import { createHash, createPublicKey, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { rfc4514 } from './certificate.js';
import { CSR_LABELS, csrSignatureIsValid, parseCsr, type ParsedCsr } from './csr.js';
import { describeExtensions, type ExtensionFacts } from './inspect-extensions.js';
import { decodePemOrDer, derObjectLength, X509ParseError } from './pem.js';
import { parsePrivateKey } from './private-key.js';

export type CertificateInspection = {
  kind: 'certificate' | 'ca_certificate';
  subject: string;
  issuer: string;
  /** Lower-case hex without leading zeros, as certledger stores and filters it. */
  serial: string;
  serial_decimal: string;
  not_before: string;
  not_after: string;
  subject_alt_names: { dns: string[]; ip: string[] };
  key_technology: string;
  spki_sha256: string;
  fingerprint_sha1: string;
  fingerprint_sha256: string;
  signature_algorithm: string;
  is_ca: boolean;
  is_self_signed: boolean;
  extensions: ExtensionFacts;
  // The names peter_sslers' parse.json (cert_utils.parse_cert) uses, for the tools that read them.
  startdate: string;
  enddate: string;
  SubjectAlternativeName: string[];
  issuer_uri: string | null;
  authority_key_identifier: string | null;
};

export type CsrInspection = {
  kind: 'csr';
  subject: string;
  subject_alt_names: { dns: string[]; ip: string[] };
  SubjectAlternativeName: string[];
  key_technology: string;
  spki_sha256: string;
  signature_algorithm: string;
  signature_valid: boolean;
  extensions: ExtensionFacts;
};

export type PrivateKeyInspection = {
  kind: 'private_key';
  key_technology: string;
  spki_sha256: string;
  /** cert_utils' RSA match key: MD5 of the upper-case hex modulus; null for other key types. */
  modulus_md5: string | null;
};

export type Inspection = CertificateInspection | CsrInspection | PrivateKeyInspection;

const sha = (algorithm: 'sha1' | 'sha256', data: Uint8Array) => createHash(algorithm).update(data).digest('hex');

const CURVES: Record<string, string> = { prime256v1: 'EC_P256', secp384r1: 'EC_P384', secp521r1: 'EC_P521' };

/** The KeyTechnology spelling of domain/shared/x509-facts.ts (RSA_2048, EC_P256, ED25519, …). */
export function keyTechnologyOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details.modulusLength ?? 0}`;
  if (key.asymmetricKeyType === 'ec') return CURVES[details.namedCurve ?? ''] ?? `EC_${details.namedCurve ?? 'UNKNOWN'}`;
  return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
}

function modulusMd5(key: KeyObject): string | null {
  if (key.asymmetricKeyType !== 'rsa') return null;
  const n = key.export({ format: 'jwk' }).n;
  if (!n) return null;
  const hex = Buffer.from(n, 'base64url').toString('hex').toUpperCase().replace(/^0+(?=.)/, '');
  return createHash('md5').update(hex).digest('hex');
}

/** e.g. ECDSA/SHA-256, RSASSA-PKCS1-v1_5/SHA-256, Ed25519 (WebCrypto names). */
function algorithmName(algorithm: x509.HashedAlgorithm): string {
  const { name, hash } = algorithm as unknown as { name: string; hash?: { name?: string } };
  return hash?.name ? `${name}/${hash.name}` : name;
}

export function inspectCertificateDer(der: Buffer): CertificateInspection {
  if (derObjectLength(der) !== der.length) throw new X509ParseError('not a PEM or DER certificate: bad DER length');
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch (error) {
    throw new X509ParseError('not a PEM or DER certificate', { cause: error });
  }
  const spki = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  const spkiDer = spki.export({ type: 'spki', format: 'der' });
  const extensions = describeExtensions(cert.extensions);
  const san = sanOf(cert.extensions);
  const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
  return {
    kind: extensions.basic_constraints?.ca ? 'ca_certificate' : 'certificate',
    subject: rfc4514(cert.subjectName),
    issuer: rfc4514(cert.issuerName),
    serial,
    serial_decimal: BigInt(`0x${serial}`).toString(10),
    not_before: cert.notBefore.toISOString(),
    not_after: cert.notAfter.toISOString(),
    subject_alt_names: san,
    key_technology: keyTechnologyOf(spki),
    spki_sha256: sha('sha256', spkiDer),
    fingerprint_sha1: sha('sha1', der),
    fingerprint_sha256: sha('sha256', der),
    signature_algorithm: algorithmName(cert.signatureAlgorithm),
    is_ca: extensions.basic_constraints?.ca === true,
    is_self_signed: selfSigned(der),
    extensions,
    startdate: cert.notBefore.toISOString(),
    enddate: cert.notAfter.toISOString(),
    SubjectAlternativeName: [...san.dns].sort(),
    issuer_uri: extensions.authority_info_access?.ca_issuers[0] ?? null,
    authority_key_identifier: extensions.authority_key_identifier,
  };
}

function selfSigned(der: Buffer): boolean {
  try {
    const node = new NodeX509Certificate(der);
    return node.checkIssued(node) && node.verify(node.publicKey);
  } catch {
    return false;
  }
}

function sanOf(extensions: readonly x509.Extension[]): { dns: string[]; ip: string[] } {
  const ext = extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension | undefined;
  const items = ext?.names.items ?? [];
  return { dns: items.filter((n) => n.type === 'dns').map((n) => n.value), ip: items.filter((n) => n.type === 'ip').map((n) => n.value) };
}

export async function inspectCsr(parsed: ParsedCsr): Promise<CsrInspection> {
  return {
    kind: 'csr',
    subject: parsed.subject,
    subject_alt_names: { dns: parsed.dnsNames, ip: parsed.ipAddresses },
    SubjectAlternativeName: [...parsed.dnsNames].sort(),
    key_technology: keyTechnologyOf(createPublicKey({ key: parsed.spkiDer, format: 'der', type: 'spki' })),
    spki_sha256: parsed.spkiSha256,
    signature_algorithm: algorithmName(parsed.csr.signatureAlgorithm),
    signature_valid: await csrSignatureIsValid(parsed),
    extensions: describeExtensions(parsed.csr.extensions),
  };
}

/** From a PKCS#8 DER (the key vault's form) or any key file parsePrivateKey reads. */
export function inspectPrivateKey(input: Buffer | string): PrivateKeyInspection {
  const key = parsePrivateKey(input);
  const publicKey = createPublicKey({ key: key.spkiDer, format: 'der', type: 'spki' });
  return { kind: 'private_key', key_technology: key.keyTechnology, spki_sha256: key.spkiSha256, modulus_md5: modulusMd5(publicKey) };
}

const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'EC PARAMETERS']);

/** Any one object, PEM or DER: what it is decides how it is decoded. */
export async function inspect(input: Buffer): Promise<Inspection> {
  const decoded = decodePemOrDer(input, 'certificate, CSR or private key');
  if (decoded.kind === 'der') return inspectDer(decoded.der);
  const labels = decoded.blocks.map((b) => b.label);
  if (labels.every((label) => KEY_LABELS.has(label))) return inspectPrivateKey(input);
  if (decoded.blocks.length !== 1) throw new X509ParseError(`contains ${decoded.blocks.length} PEM blocks; send one object at a time`);
  const block = decoded.blocks[0]!;
  if (block.label === 'CERTIFICATE' || block.label === 'X509 CERTIFICATE') return inspectCertificateDer(block.der);
  if (CSR_LABELS.has(block.label)) return inspectCsr(parseCsr(input));
  throw new X509ParseError(`a "${block.label}" PEM block is not a certificate, CSR or private key`);
}

/** DER carries no label: try each kind, certificate first (the common case). */
async function inspectDer(der: Buffer): Promise<Inspection> {
  for (const attempt of [() => inspectCertificateDer(der), () => inspectCsr(parseCsr(der)), () => inspectPrivateKey(der)]) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof X509ParseError)) throw error;
    }
  }
  throw new X509ParseError('not a PEM or DER certificate, CSR or private key');
}
