import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { parseCertificateBundle } from '../../src/infra/x509/bundle.js';
import { parseCertificate, parseCertificates, X509ParseError } from '../../src/infra/x509/certificate.js';
import { normaliseDomainName, uniqueFqdnSet } from '../../src/infra/x509/domain-names.js';
import { splitPemBlocks, toPem } from '../../src/infra/x509/pem.js';
import { parsePrivateKey } from '../../src/infra/x509/private-key.js';
import { isSignedBy } from '../../src/infra/x509/verify.js';
import { createCa, createTestChain, issueLeaf, type TestChain, type TestLeaf } from '../support/pki.js';

let chain: TestChain;
let ecLeaf: TestLeaf;

beforeAll(async () => {
  chain = await createTestChain({ names: ['WWW.Example.test', 'example.test', '10.0.0.1', '2001:DB8::1'] });
  ecLeaf = await issueLeaf(chain.intermediate, { names: ['ec.example.test'], keyAlgorithm: 'EC' });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const hex = (colonHex: string) => colonHex.replaceAll(':', '').toLowerCase();

describe('pem', () => {
  it('writes 64-character lines, LF and one trailing newline', () => {
    const pem = toPem('CERTIFICATE', chain.leaf.certDer);
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.slice(1, -3).every((line) => line.length === 64)).toBe(true);
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
  });

  it('splits blocks out of surrounding text and CRLF, keeping RFC 1421 headers', () => {
    const text = `Bag Attributes\r\n${chain.leaf.certPem.replaceAll('\n', '\r\n')}junk\n` +
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    const blocks = splitPemBlocks(text);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'RSA PRIVATE KEY']);
    expect(blocks[0]!.der.equals(chain.leaf.certDer)).toBe(true);
    expect(blocks[1]!.headers['Proc-Type']).toBe('4,ENCRYPTED');
  });

  it('rejects bad base64 and mismatched labels', () => {
    expect(() => splitPemBlocks('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----')).toThrow(X509ParseError);
    expect(() => splitPemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(/ends with/);
  });
});

describe('parseCertificate', () => {
  it('gives the same facts from PEM (CRLF) and DER, matching node:crypto', () => {
    const fromPem = parseCertificate(Buffer.from(chain.leaf.certPem.replaceAll('\n', '\r\n')));
    const fromDer = parseCertificate(chain.leaf.certDer);
    const node = new X509Certificate(chain.leaf.certDer);
    const { x509: _a, ...factsPem } = fromPem;
    const { x509: _b, ...factsDer } = fromDer;
    expect(factsPem).toEqual(factsDer);
    expect(fromPem.pem).toBe(chain.leaf.certPem);
    expect(fromPem.fingerprintSha256).toBe(hex(node.fingerprint256));
    expect(fromPem.fingerprintSha1).toBe(hex(node.fingerprint));
    expect(fromPem.serial).toBe(node.serialNumber.toLowerCase().replace(/^0+/, ''));
    const spki = node.publicKey.export({ type: 'spki', format: 'der' });
    expect(fromPem.spkiSha256).toBe(createHash('sha256').update(spki).digest('hex'));
    expect(fromPem.notAfter).toBe(new Date(node.validTo).toISOString());
    expect(fromPem.subject).toBe('CN=WWW.Example.test');
    expect(fromPem.issuer).toBe(`CN=${chain.intermediate.name},O=certledger tests`);
  });

  it('normalises SAN names and IPs, sorted', () => {
    expect(parseCertificate(chain.leaf.certPem).domainNames).toEqual(['10.0.0.1', '2001:db8::1', 'example.test', 'www.example.test']);
  });

  it('falls back to the subject CN only without a SAN, and never for a CA', async () => {
    const legacy = await issueLeaf(chain.intermediate, { names: [], commonName: 'Legacy.Example.test.', keyAlgorithm: 'EC' });
    expect(parseCertificate(legacy.certPem).domainNames).toEqual(['legacy.example.test']);
    const ca = await createCa({ name: 'R3' });
    expect(parseCertificate(ca.certPem).domainNames).toEqual([]);
  });

  it('tells CA, self-signed and leaf apart', () => {
    const [root, intermediate, leaf] = [chain.root, chain.intermediate, chain.leaf].map((c) => parseCertificate(c.certPem));
    expect([root!.isCa, root!.isSelfSigned]).toEqual([true, true]);
    expect([intermediate!.isCa, intermediate!.isSelfSigned]).toEqual([true, false]);
    expect([leaf!.isCa, leaf!.isSelfSigned]).toEqual([false, false]);
  });

  it('refuses several certificates, garbage, trailing bytes and keys', () => {
    expect(() => parseCertificate(chain.fullChainPem)).toThrow('contains 2 certificates, expected 1');
    expect(() => parseCertificate(Buffer.from('hello'))).toThrow('not a PEM or DER certificate');
    expect(() => parseCertificate(Buffer.concat([chain.leaf.certDer, Buffer.from([0])]))).toThrow(X509ParseError);
    expect(() => parseCertificate(chain.leaf.keyDer)).toThrow('not a PEM or DER certificate');
    expect(() => parseCertificate(chain.leaf.keyPem)).toThrow(/"PRIVATE KEY", expected a CERTIFICATE/);
  });

  it('parses a chain file in order', () => {
    const parsed = parseCertificates(Buffer.from(chain.fullChainPem));
    expect(parsed.map((c) => c.subject)).toEqual([chain.intermediate.name, chain.root.name].map((n) => `CN=${n},O=certledger tests`));
  });
});

describe('parsePrivateKey', () => {
  it('reads PKCS#8, PKCS#1 and SEC1, PEM and DER, into one PKCS#8 form', () => {
    const leafSpki = parseCertificate(chain.leaf.certDer).spkiSha256;
    const rsa = parsePrivateKey(chain.leaf.keyPem);
    expect(rsa.keyTechnology).toBe('RSA_2048');
    expect(rsa.spkiSha256).toBe(leafSpki);
    expect(rsa.pkcs8Pem).toBe(chain.leaf.keyPem);
    const pkcs1Der = splitPemBlocks(chain.leaf.keyPkcs1Pem!)[0]!.der;
    for (const input of [chain.leaf.keyDer, Buffer.from(chain.leaf.keyPkcs1Pem!), pkcs1Der]) {
      expect(parsePrivateKey(input).pkcs8Der.equals(rsa.pkcs8Der)).toBe(true);
    }
    const ec = parsePrivateKey(ecLeaf.keySec1Pem!);
    expect(ec.keyTechnology).toBe('EC_P256');
    expect(ec.spkiSha256).toBe(parseCertificate(ecLeaf.certPem).spkiSha256);
    expect(parsePrivateKey(splitPemBlocks(ecLeaf.keySec1Pem!)[0]!.der).pkcs8Der.equals(ecLeaf.keyDer)).toBe(true);
  });

  it('names P-384, P-521 and Ed25519; refuses other curves', () => {
    const pem = (type: 'ec' | 'ed25519', namedCurve?: string) =>
      (generateKeyPairSync(type as 'ec', { namedCurve: namedCurve! }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(parsePrivateKey(pem('ec', 'secp384r1')).keyTechnology).toBe('EC_P384');
    expect(parsePrivateKey(pem('ec', 'secp521r1')).keyTechnology).toBe('EC_P521');
    expect(parsePrivateKey(pem('ed25519')).keyTechnology).toBe('ED25519');
    expect(() => parsePrivateKey(pem('ec', 'secp256k1'))).toThrow(/secp256k1 is not supported/);
  });

  it('refuses encrypted keys clearly, without echoing key material', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const inputs = [
      privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
    ];
    for (const input of inputs) {
      expect(() => parsePrivateKey(input)).toThrow('encrypted private keys are not supported; decrypt it first');
    }
  });

  it('refuses garbage and certificates', () => {
    expect(() => parsePrivateKey(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(/not a PEM or DER private key/);
    expect(() => parsePrivateKey(chain.leaf.certPem)).toThrow(/"CERTIFICATE" PEM block is not a private key/);
    const lines = chain.leaf.keyPem.split('\n');
    const truncated = [...lines.slice(0, 5), ...lines.slice(6)].join('\n');
    const error = catchError(() => parsePrivateKey(truncated));
    expect(error).toBeInstanceOf(X509ParseError);
    expect(lines.slice(1, -2).some((line) => error.message.includes(line.slice(0, 8)))).toBe(false);
  });
});

describe('domain names', () => {
  it.each([
    [' Example.COM. ', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['*.Example.com', '*.example.com'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[::1]', '::1'],
    ['192.168.0.1', '192.168.0.1'],
  ])('%s → %s', (input, expected) => expect(normaliseDomainName(input)).toBe(expected));

  it.each(['', '  ', 'a..b', '-a.example', 'a_b.example', '1.2.3', 'x'.repeat(64) + '.example', 'fe80::1%eth0'])(
    'rejects %j',
    (input) => expect(() => normaliseDomainName(input)).toThrow(),
  );

  it('builds a sorted, de-duplicated set', () => {
    expect(uniqueFqdnSet(['b.example', 'A.example', 'a.example.', 'B.EXAMPLE'])).toEqual(['a.example', 'b.example']);
  });
});

describe('isSignedBy', () => {
  it('verifies RSA and ECDSA signatures and checks the issuer name', async () => {
    const rsaRoot = await createCa({ keyAlgorithm: 'RSA' });
    const ecIntermediate = await createCa({ issuer: rsaRoot });
    const [root, intermediate] = [rsaRoot, ecIntermediate].map((c) => parseCertificate(c.certPem));
    expect(await isSignedBy(intermediate!, root!)).toBe(true);
    expect(await isSignedBy(root!, root!)).toBe(true);
    expect(await isSignedBy(intermediate!, parseCertificate(chain.root.certPem))).toBe(false);
    expect(await isSignedBy(parseCertificate(chain.leaf.certPem), intermediate!)).toBe(false);
  });
});

describe('parseCertificateBundle', () => {
  const fields = { certificate: 'certificate_file', privateKey: 'private_key_file', chain: 'chain_file' };
  const now = new Date();
  const upload = (c: TestChain, chainPem = c.chainPem, leaf = c.leaf) => ({
    certificate: Buffer.from(leaf.certPem),
    privateKey: Buffer.from(leaf.keyPkcs1Pem ?? leaf.keyPem),
    chain: Buffer.from(chainPem),
  });
  const fieldsOf = async (input: Parameters<typeof parseCertificateBundle>[0]) => {
    const error = await parseCertificateBundle(input, fields, now).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields;
  };

  it('accepts a matching certificate, key and chain, with or without the root', async () => {
    const bundle = await parseCertificateBundle(upload(chain), fields, now);
    expect(bundle.certificate.fingerprintSha256).toBe(parseCertificate(chain.leaf.certDer).fingerprintSha256);
    expect(bundle.privateKey.spkiSha256).toBe(bundle.certificate.spkiSha256);
    expect(bundle.chain).toHaveLength(1);
    expect(bundle.isExpired).toBe(false);
    expect((await parseCertificateBundle(upload(chain, chain.fullChainPem), fields, now)).chain).toHaveLength(2);
    const derChain = { ...upload(chain), chain: chain.intermediate.certDer };
    expect((await parseCertificateBundle(derChain, fields, now)).chain).toHaveLength(1);
  });

  it('accepts an expired certificate and flags it', async () => {
    const old = await issueLeaf(chain.intermediate, {
      names: ['old.example.test'], keyAlgorithm: 'EC',
      notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-04-01T00:00:00Z'),
    });
    expect((await parseCertificateBundle(upload(chain, chain.chainPem, old), fields, now)).isExpired).toBe(true);
  });

  it('names every missing file', async () => {
    expect(await fieldsOf({ chain: Buffer.alloc(0) })).toEqual({
      certificate_file: 'is required', private_key_file: 'is required', chain_file: 'is required',
    });
  });

  it('names malformed files', async () => {
    expect(await fieldsOf({ certificate: Buffer.from('x'), privateKey: Buffer.from('y'), chain: Buffer.from('z') })).toEqual({
      certificate_file: 'not a PEM or DER certificate',
      private_key_file: 'not a PEM or DER private key',
      chain_file: 'not a PEM or DER certificate',
    });
  });

  it('refuses a CA certificate as the certificate', async () => {
    const input = { ...upload(chain), certificate: Buffer.from(chain.intermediate.certPem) };
    expect((await fieldsOf(input)).certificate_file).toMatch(/is a CA certificate/);
  });

  it('refuses a private key that does not match', async () => {
    const input = { ...upload(chain), privateKey: Buffer.from(ecLeaf.keyPem) };
    expect(await fieldsOf(input)).toEqual({ private_key_file: 'does not match the certificate' });
  });

  it('refuses a chain that did not issue the certificate', async () => {
    const other = await createCa();
    expect(await fieldsOf({ ...upload(chain), chain: Buffer.from(other.certPem) })).toEqual({
      chain_file: 'its first certificate did not issue the uploaded certificate',
    });
  });

  it('refuses chains out of order, with a leaf, or with a foreign CA', async () => {
    const reversed = chain.root.certPem + chain.intermediate.certPem;
    expect((await fieldsOf(upload(chain, reversed))).chain_file).toBe('its first certificate did not issue the uploaded certificate');
    expect((await fieldsOf(upload(chain, chain.leaf.certPem + chain.chainPem))).chain_file).toMatch(/starts with the certificate itself/);
    expect((await fieldsOf(upload(chain, chain.chainPem + ecLeaf.certPem))).chain_file).toBe('certificate 2 of the chain is not a CA certificate');
    const stranger = await createCa();
    expect((await fieldsOf(upload(chain, chain.chainPem + stranger.certPem))).chain_file).toBe('certificate 2 of the chain did not issue certificate 1');
  });
});
