/**
 * PKCS#10 certificate signing requests (RFC 2986), PEM or DER, as read at the edge. Only parsing
 * and the self-signature check live here; there is no CSR store yet (CSRs arrive with the ACME client).
 */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { rfc4514 } from './certificate.js';
import { decodePemOrDer, derObjectLength, toPem, X509ParseError } from './pem.js';

export const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

export type ParsedCsr = {
  der: Buffer;
  pem: string;
  /** RFC 4514; empty for the "/" subject ACME clients send. */
  subject: string;
  /** SAN entries as written in the request (not normalised: inspection shows what was asked). */
  dnsNames: string[];
  ipAddresses: string[];
  spkiDer: Buffer;
  spkiSha256: string;
  csr: x509.Pkcs10CertificateRequest;
};

/** A file holding exactly one CSR, PEM ("CERTIFICATE REQUEST" or the legacy "NEW ...") or DER. */
export function parseCsr(input: Buffer | string): ParsedCsr {
  const decoded = decodePemOrDer(input, 'certificate signing request');
  if (decoded.kind === 'der') return fromDer(decoded.der);
  if (decoded.blocks.length !== 1) {
    throw new X509ParseError(`contains ${decoded.blocks.length} PEM blocks, expected 1 certificate signing request`);
  }
  const block = decoded.blocks[0]!;
  if (!CSR_LABELS.has(block.label)) throw new X509ParseError(`a "${block.label}" PEM block is not a certificate signing request`);
  return fromDer(block.der);
}

function fromDer(der: Buffer): ParsedCsr {
  if (derObjectLength(der) !== der.length) throw new X509ParseError('not a PEM or DER certificate signing request: bad DER length');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (error) {
    throw new X509ParseError('not a PEM or DER certificate signing request', { cause: error });
  }
  const names = sanOf(csr);
  const spkiDer = Buffer.from(csr.publicKey.rawData);
  return {
    der: Buffer.from(der),
    pem: toPem('CERTIFICATE REQUEST', der),
    subject: rfc4514(csr.subjectName),
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    spkiDer,
    spkiSha256: createHash('sha256').update(spkiDer).digest('hex'),
    csr,
  };
}

/** The SAN extension sits in the extensionRequest attribute (RFC 2985 §5.4.2). */
function sanOf(csr: x509.Pkcs10CertificateRequest): { type: string; value: string }[] {
  const ext = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension | undefined;
  return ext?.names.items.map((n) => ({ type: n.type, value: n.value })) ?? [];
}

/** Proof of possession: the request is signed by the key it carries. */
export async function csrSignatureIsValid(parsed: ParsedCsr): Promise<boolean> {
  try {
    return await parsed.csr.verify(webcrypto as never);
  } catch {
    // An algorithm WebCrypto cannot verify proves nothing; without proof the signature does not count.
    return false;
  }
}
