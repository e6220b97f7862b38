import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { base64url, decodeProtectedHeader, flattenedVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateAccountKey, jwsAlgorithmFor, UnsupportedAccountKeyError } from '../../src/infra/acme/account-key.js';
import { decodeMacKey, signExternalAccountBinding, signKeyChange } from '../../src/infra/acme/inner-jws.js';
import { dns01RecordName, dns01TxtValue, keyAuthorization } from '../../src/infra/acme/key-authorization.js';
import { createAcmeSigner, jwkThumbprint, type FlattenedJws } from '../../src/infra/acme/signer.js';

/** The rejection of a promise that must fail, typed for the assertions that follow. */
const rejectionOf = <T>(promise: Promise<unknown>): Promise<T> => promise.then(
  () => { throw new Error('expected a failure'); },
  (error: unknown) => error as T,
);

const decodedPayload = (jws: FlattenedJws) => new TextDecoder().decode(base64url.decode(jws.payload));

describe('JWS algorithm follows the account key (RFC 8555 §6.2, RFC 7518 §3.1)', () => {
  it.each([
    [{ type: 'rsa', bits: 2048 }, 'RS256'],
    [{ type: 'rsa', bits: 3072 }, 'RS256'],
    [{ type: 'rsa', bits: 4096 }, 'RS256'],
    [{ type: 'ec', curve: 'P-256' }, 'ES256'],
    [{ type: 'ec', curve: 'P-384' }, 'ES384'],
  ] as const)('%j signs with %s', async (spec, alg) => {
    const key = await generateAccountKey(spec);
    expect(jwsAlgorithmFor(key)).toBe(alg);
    const signer = await createAcmeSigner(key);
    expect(signer.alg).toBe(alg);
    const jws = await signer.signRequest({ url: 'https://acme.test/new-acct', nonce: 'abc_-1', payload: { termsOfServiceAgreed: true } });
    expect(decodeProtectedHeader(jws)).toEqual({ alg, jwk: signer.publicJwk, nonce: 'abc_-1', url: 'https://acme.test/new-acct' });
    const verified = await flattenedVerify(jws, createPublicKey(key));
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({ termsOfServiceAgreed: true });
  }, 60_000);

  it.each([
    ['RSA 1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, /2048, 3072 or 4096 bits, not 1024/],
    ['P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, /P-256 or P-384, not secp521r1/],
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey, /RSA or EC, not ed25519/],
  ])('refuses %s', async (_name, make, message) => {
    await expect(createAcmeSigner(make())).rejects.toThrow(message);
  });

  it('refuses a public key and unreadable input without echoing it', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(createAcmeSigner(publicKey)).rejects.toBeInstanceOf(UnsupportedAccountKeyError);
    const error = await rejectionOf<Error>(createAcmeSigner('-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----\n'));
    expect(error).toBeInstanceOf(UnsupportedAccountKeyError);
    expect((error as Error).message).not.toContain('not-a-key');
  });

  it('reads PKCS#8, PKCS#1 and SEC1 PEM and a private JWK (certbot private_key.json) to the same signer', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const rsaThumbprint = (await createAcmeSigner(rsa)).thumbprint;
    for (const input of [rsa.export({ type: 'pkcs8', format: 'pem' }), rsa.export({ type: 'pkcs1', format: 'pem' }), rsa.export({ format: 'jwk' })]) {
      expect((await createAcmeSigner(input as string)).thumbprint).toBe(rsaThumbprint);
    }
    const ecSigner = await createAcmeSigner(ec.export({ type: 'sec1', format: 'pem' }) as string);
    expect(ecSigner.alg).toBe('ES384');
    expect(ecSigner.publicJwk).toEqual({ kty: 'EC', crv: 'P-384', x: expect.any(String), y: expect.any(String) });
  });
});

describe('signer', () => {
  it('uses kid instead of jwk once the account URL is known, and an empty payload for POST-as-GET (§6.3)', async () => {
    const key = await generateAccountKey({ type: 'ec', curve: 'P-256' });
    const signer = (await createAcmeSigner(key)).withKid('https://acme.test/acct/1');
    expect(signer.kid).toBe('https://acme.test/acct/1');
    const jws = await signer.signRequest({ url: 'https://acme.test/order/9', nonce: 'n1', payload: '' });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: 'https://acme.test/acct/1', nonce: 'n1', url: 'https://acme.test/order/9' });
    expect(jws.payload).toBe('');
    await expect(flattenedVerify(jws, createPublicKey(key))).resolves.toBeDefined();
  });

  it('computes the RFC 7638 §3.1 example thumbprint', async () => {
    const n = '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(await jwkThumbprint({ kty: 'RSA', e: 'AQAB', n })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('key authorizations (§8.1) and dns-01 (§8.4)', () => {
  it('joins token and thumbprint, and hashes it for the TXT record', () => {
    const keyAuth = keyAuthorization('evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA', 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    expect(keyAuth).toBe('evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    const txt = dns01TxtValue(keyAuth);
    expect(txt).toBe(createHash('sha256').update(keyAuth).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    expect(txt).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('names the record, without a wildcard label', () => {
    expect(dns01RecordName('www.example.org')).toBe('_acme-challenge.www.example.org');
    expect(dns01RecordName('*.example.org.')).toBe('_acme-challenge.example.org');
  });
});

describe('inner JWS', () => {
  it('key rollover (§7.3.5): signed by the new key, jwk + url and no nonce, payload account + oldKey', async () => {
    const oldSigner = await createAcmeSigner(await generateAccountKey({ type: 'rsa', bits: 2048 }));
    const newKey = await generateAccountKey({ type: 'ec', curve: 'P-384' });
    const newSigner = await createAcmeSigner(newKey);
    const inner = await signKeyChange({
      newKey: newSigner, oldPublicJwk: oldSigner.publicJwk, accountUrl: 'https://acme.test/acct/1', keyChangeUrl: 'https://acme.test/key-change',
    });
    expect(decodeProtectedHeader(inner)).toEqual({ alg: 'ES384', jwk: newSigner.publicJwk, url: 'https://acme.test/key-change' });
    expect(JSON.parse(decodedPayload(inner))).toEqual({ account: 'https://acme.test/acct/1', oldKey: oldSigner.publicJwk });
    await expect(flattenedVerify(inner, createPublicKey(newKey))).resolves.toBeDefined();
  });

  it('external account binding (§7.3.4): HS256 over the account JWK with the CA-issued kid', async () => {
    const macKey = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
    const account = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }));
    const eab = await signExternalAccountBinding({ accountKey: account, keyId: 'kid-1', macKey, url: 'https://acme.test/new-acct' });
    expect(decodeProtectedHeader(eab)).toEqual({ alg: 'HS256', kid: 'kid-1', url: 'https://acme.test/new-acct' });
    expect(JSON.parse(decodedPayload(eab))).toEqual(account.publicJwk);
    const secret = await importJWK({ kty: 'oct', k: macKey }, 'HS256');
    await expect(flattenedVerify(eab, secret)).resolves.toBeDefined();
  });

  it('reads MAC keys in base64url and in standard base64', () => {
    expect(decodeMacKey('-_8')).toEqual(decodeMacKey('+/8='));
    expect(() => decodeMacKey('not base64!')).toThrow(/not base64url/);
  });
});
