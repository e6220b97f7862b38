/**
 * Test PKI built in-process with @peculiar/x509, so tests never depend on an openssl binary
 * or on fixture files that silently expire.
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type KeyAlgorithm = 'RSA' | 'EC';

export type TestCa = {
  certPem: string;
  certDer: Buffer;
  /** PKCS#8 PEM */
  keyPem: string;
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
  name: string;
};

export type TestLeaf = {
  certPem: string;
  certDer: Buffer;
  /** PKCS#8 PEM */
  keyPem: string;
  /** RSA only: the traditional "RSA PRIVATE KEY" form. */
  keyPkcs1Pem?: string;
  /** EC only: the traditional "EC PRIVATE KEY" form. */
  keySec1Pem?: string;
  /** PKCS#8 DER */
  keyDer: Buffer;
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
};

const DAY = 86_400_000;

function algorithmFor(kind: KeyAlgorithm, rsaBits = 2048): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return kind === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: rsaBits }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

/** The issuer's key decides the signature algorithm; ECDSA needs the hash spelled out. */
function signingAlgorithmFor(key: CryptoKey): webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams {
  return { name: key.algorithm.name, hash: 'SHA-256' };
}

async function generateKeys(kind: KeyAlgorithm, rsaBits?: number): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithmFor(kind, rsaBits), true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function exportPkcs8(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
}

function pkcs8Pem(der: Buffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

/** Random positive serial: 16 bytes with the top bit cleared so DER needs no sign byte. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function certOut(cert: x509.X509Certificate): { certPem: string; certDer: Buffer } {
  return { certPem: cert.toString('pem') + '\n', certDer: Buffer.from(cert.rawData) };
}

let caCounter = 0;

export async function createCa(opts: {
  name?: string;
  issuer?: TestCa;
  keyAlgorithm?: KeyAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
  /** AIA "CA Issuers" URI: where the issuer's certificate can be downloaded. */
  aiaCaIssuersUrl?: string;
  /** Reuse another CA's key pair (with its name): a cross-signed twin of that CA. */
  keys?: CryptoKeyPair;
} = {}): Promise<TestCa> {
  caCounter += 1;
  const name = opts.name ?? `Test ${opts.issuer ? 'Intermediate' : 'Root'} CA ${caCounter}`;
  const keys = opts.keys ?? await generateKeys(opts.keyAlgorithm ?? 'EC');
  const notBefore = opts.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 3650 * DAY);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (opts.aiaCaIssuersUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ caIssuers: opts.aiaCaIssuersUrl }));
  // DER order is most general first (O then CN), as real CAs do; RFC 4514 prints it reversed.
  const subject: x509.JsonName = [{ O: ['certledger tests'] }, { CN: [name] }];
  let cert: x509.X509Certificate;
  if (opts.issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(opts.issuer.keys.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: opts.issuer.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: opts.issuer.keys.privateKey,
      signingAlgorithm: signingAlgorithmFor(opts.issuer.keys.privateKey),
      extensions,
    });
  } else {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey));
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: subject,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey),
      extensions,
    });
  }
  return { ...certOut(cert), keyPem: pkcs8Pem(await exportPkcs8(keys.privateKey)), keys, cert, name };
}

export async function issueLeaf(issuer: TestCa, opts: {
  names: string[];
  keyAlgorithm?: KeyAlgorithm;
  rsaBits?: number;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
  /** AIA "CA Issuers" URI of the issuing CA. */
  aiaCaIssuersUrl?: string;
}): Promise<TestLeaf> {
  const kind = opts.keyAlgorithm ?? 'RSA';
  const keys = await generateKeys(kind, opts.rsaBits);
  const commonName = opts.commonName ?? opts.names[0];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | (kind === 'RSA' ? x509.KeyUsageFlags.keyEncipherment : 0),
      true,
    ),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
  ];
  if (opts.aiaCaIssuersUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ caIssuers: opts.aiaCaIssuersUrl }));
  if (opts.names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(
      opts.names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }) as x509.JsonGeneralName),
    ));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: commonName ? [{ CN: [commonName] }] : [],
    issuer: issuer.cert.subjectName,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: signingAlgorithmFor(issuer.keys.privateKey),
    extensions,
  });
  const keyDer = await exportPkcs8(keys.privateKey);
  const nodeKey = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' });
  const leaf: TestLeaf = { ...certOut(cert), keyPem: pkcs8Pem(keyDer), keyDer, keys, cert };
  if (kind === 'RSA') leaf.keyPkcs1Pem = nodeKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  else leaf.keySec1Pem = nodeKey.export({ type: 'sec1', format: 'pem' }) as string;
  return leaf;
}

export type TestChain = {
  root: TestCa;
  intermediate: TestCa;
  leaf: TestLeaf;
  /** The intermediate only, as CAs send it. */
  chainPem: string;
  /** Intermediate then root. */
  fullChainPem: string;
};

export async function createTestChain(opts: {
  names?: string[];
  keyAlgorithm?: KeyAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
} = {}): Promise<TestChain> {
  const root = await createCa();
  const intermediate = await createCa({ issuer: root });
  const leaf = await issueLeaf(intermediate, {
    names: opts.names ?? ['example.test', 'www.example.test'],
    keyAlgorithm: opts.keyAlgorithm,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
  });
  return {
    root,
    intermediate,
    leaf,
    chainPem: intermediate.certPem,
    fullChainPem: intermediate.certPem + root.certPem,
  };
}
