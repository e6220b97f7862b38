/**
 * PKCS#10 requests (RFC 2986) for ACME finalize (RFC 8555 §7.4): the names in a
 * subjectAltName extension (dNSName, iPAddress per RFC 8738 §3), signed by the certificate key.
 * The subject carries the first DNS name as CN when it fits (64 characters, RFC 5280 ub-common-name);
 * CAs take the names from the SAN only.
 */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parseCsr, type ParsedCsr } from './csr.js';

export type CsrName = { type: 'dns' | 'ip'; value: string };

type Algorithms = { importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams; signing: webcrypto.Algorithm | webcrypto.EcdsaParams };

const { subtle } = webcrypto;

function algorithmsFor(pkcs8Der: Buffer): Algorithms {
  const key = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'rsa') {
    return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signing: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    // RFC 5758 §3.2: the hash follows the curve size.
    if (curve === 'prime256v1') return { importParams: { name: 'ECDSA', namedCurve: 'P-256' }, signing: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams };
    if (curve === 'secp384r1') return { importParams: { name: 'ECDSA', namedCurve: 'P-384' }, signing: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams };
  }
  throw new Error(`No CSR signing for a ${key.asymmetricKeyType} key`);
}

export async function generateCsr(pkcs8Der: Buffer, names: readonly CsrName[]): Promise<ParsedCsr> {
  if (names.length === 0) throw new Error('A CSR names at least one identifier');
  const { importParams, signing } = algorithmsFor(pkcs8Der);
  const spkiDer = createPublicKey(createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
  const keys: webcrypto.CryptoKeyPair = {
    privateKey: await subtle.importKey('pkcs8', pkcs8Der, importParams, false, ['sign']),
    publicKey: await subtle.importKey('spki', spkiDer, importParams, true, ['verify']),
  };
  const commonName = names.find((n) => n.type === 'dns' && n.value.length <= 64)?.value;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    ...(commonName === undefined ? {} : { name: [{ CN: [commonName] }] }),
    keys: keys as never,
    signingAlgorithm: signing,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: n.type, value: n.value })))],
  }, webcrypto as never);
  return parseCsr(Buffer.from(csr.rawData));
}
