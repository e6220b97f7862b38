// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { splitPemBlocks, X509ParseError } from '../x509/pem.js';

const PKCS7_LABELS = new Set(['PKCS7', 'CMS']);
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const NOT_A_CERTIFICATE = 'not a certificate (DER or PEM) or a PKCS#7 certs-only bundle';

/**
 * What an AIA "CA Issuers" URI serves (RFC 5280 §4.2.2.1): one DER certificate
 * (application/pkix-cert) or a certs-only PKCS#7 (application/pkcs7-mime); PEM of either too,
 * since some servers do. The content type is not trusted: the bytes decide.
 */
export function parseIssuerDownload(body: Buffer): ParsedCertificate[] {
  if (body.length === 0) throw new X509ParseError('empty body');
  if (body.toString('latin1').includes('-----BEGIN ')) return fromPem(body.toString('latin1'));
  try {
    return [parseCertificate(body)];
  } catch (error) {
    if (!(error instanceof X509ParseError)) throw error;
    return fromPkcs7(body);
  }
}

function fromPem(text: string): ParsedCertificate[] {
  const certificates = splitPemBlocks(text).flatMap((block) => {
    if (PKCS7_LABELS.has(block.label)) return fromPkcs7(block.der);
    return CERTIFICATE_LABELS.has(block.label) ? [parseCertificate(block.der)] : [];
  });
  if (certificates.length === 0) throw new X509ParseError(NOT_A_CERTIFICATE);
  return certificates;
}

function fromPkcs7(der: Buffer): ParsedCertificate[] {
  let bundle: x509.X509Certificates;
  try {
    bundle = new x509.X509Certificates(der);
  } catch (error) {
    throw new X509ParseError(NOT_A_CERTIFICATE, { cause: error });
  }
  if (bundle.length === 0) throw new X509ParseError('PKCS#7 bundle holds no certificate');
  // A plain array: X509Certificates is an Array subclass whose constructor would be re-run by map().
  return Array.from(bundle, (cert) => parseCertificate(Buffer.from(cert.rawData)));
}
