import { describe, expect, it } from 'vitest';
import { AcmeDirectoryError, parseDirectory } from '../../src/infra/acme/directory.js';
import { createNoncePool } from '../../src/infra/acme/nonce-pool.js';
import { pemSha256, splitPemCertificateChain } from '../../src/infra/acme/pem-chains.js';
import { sanitiseResponseBody } from '../../src/infra/acme/sanitise.js';

const cert = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

describe('parseDirectory (RFC 8555 §7.1.1)', () => {
  it('keeps the URLs, meta (profiles too) and the raw document', () => {
    const raw = {
      newNonce: 'https://ca.test/nonce', newAccount: 'https://ca.test/acct', newOrder: 'https://ca.test/order',
      revokeCert: 'https://ca.test/revoke', keyChange: 'https://ca.test/key', renewalInfo: 'https://ca.test/ari',
      meta: { termsOfService: 'data:text/plain,hi', externalAccountRequired: true, profiles: { classic: 'the usual' }, caaIdentities: ['ca.test'] },
      'x-extra': 1,
    };
    const directory = parseDirectory(raw, 'https://ca.test/dir');
    expect(directory).toMatchObject({
      newNonce: 'https://ca.test/nonce', renewalInfo: 'https://ca.test/ari',
      meta: { termsOfService: 'data:text/plain,hi', externalAccountRequired: true, profiles: { classic: 'the usual' }, caaIdentities: ['ca.test'] },
    });
    expect(directory.raw).toEqual(raw);
    expect(directory.raw).not.toBe(raw);
  });

  it('defaults externalAccountRequired to false and leaves optional URLs out', () => {
    const directory = parseDirectory({ newNonce: 'https://ca.test/n', newAccount: 'https://ca.test/a', newOrder: 'https://ca.test/o' }, 'https://ca.test/dir');
    expect(directory.meta).toEqual({ externalAccountRequired: false });
    expect('renewalInfo' in directory).toBe(false);
  });

  it('names what is wrong', () => {
    expect(() => parseDirectory({ newNonce: 'ftp://x', newOrder: 'https://ca.test/o' }, 'https://ca.test/dir'))
      .toThrow(AcmeDirectoryError);
    expect(() => parseDirectory('<html/>', 'https://ca.test/dir')).toThrow(/https:\/\/ca.test\/dir is invalid/);
    expect(() => parseDirectory({ newNonce: 'ftp://x', newOrder: 'https://ca.test/o' }, 'https://ca.test/dir')).toThrow(/newNonce.*newAccount/);
  });
});

describe('nonce pool (§6.5)', () => {
  it('hands out each nonce once, newest first, and fetches when empty', async () => {
    let fetched = 0;
    const pool = createNoncePool(async () => `fresh${++fetched}`, { max: 2 });
    pool.offer('a');
    pool.offer('b');
    pool.offer('b');
    pool.offer('c');
    pool.offer('not valid!');
    pool.offer(undefined);
    expect(pool.size).toBe(2);
    expect(await pool.take()).toBe('c');
    expect(await pool.take()).toBe('b');
    expect(await Promise.all([pool.take(), pool.take()])).toEqual(['fresh1', 'fresh2']);
  });
});

describe('exchange bodies for the event log', () => {
  it('keeps JSON but drops private JWK members and secret-looking members', () => {
    const body = {
      status: 'valid',
      key: { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy', d: 'PRIVATE' },
      nested: [{ kty: 'oct', k: 'SECRET' }, { hmacKey: 'SECRET', clientSecret: 'SECRET', note: '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----' }],
    };
    const sanitised = sanitiseResponseBody('application/json', JSON.stringify(body), body);
    expect(sanitised).toEqual({
      status: 'valid',
      key: { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy' },
      nested: [{ kty: 'oct' }, { hmacKey: '[redacted]', clientSecret: '[redacted]', note: '[redacted private key]' }],
    });
    expect(JSON.stringify(sanitised)).not.toMatch(/PRIVATE|SECRET/);
  });

  it('replaces a certificate chain by the digests of its certificates', () => {
    const text = cert('AAAA') + cert('AQID');
    expect(sanitiseResponseBody('application/pem-certificate-chain', text)).toEqual({
      pemCertificateChain: { certificateSha256: [pemSha256(cert('AAAA')), pemSha256(cert('AQID'))], bytes: text.length },
    });
  });

  it('keeps the start of other text and nothing of an empty body; summarises huge JSON', () => {
    expect(sanitiseResponseBody('text/html', 'x'.repeat(5000))).toEqual({ text: 'x'.repeat(2048), bytes: 5000, truncated: true });
    expect(sanitiseResponseBody(undefined, '')).toBeUndefined();
    const big = { orders: Array.from({ length: 3000 }, (_, i) => `https://ca.test/order/${i}`) };
    expect(sanitiseResponseBody('application/json', JSON.stringify(big), big)).toMatchObject({ omitted: 'too large', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe('splitPemCertificateChain (§9.1)', () => {
  it('splits and normalises, and refuses a body without certificates', () => {
    const long = Buffer.alloc(100, 7).toString('base64');
    const chain = splitPemCertificateChain(`junk\r\n-----BEGIN CERTIFICATE-----\r\n${long}\r\n-----END CERTIFICATE-----\r\n${cert('AQID')}`);
    expect(chain).toHaveLength(2);
    expect(chain[0]).toBe(`-----BEGIN CERTIFICATE-----\n${long.slice(0, 64)}\n${long.slice(64, 128)}\n${long.slice(128)}\n-----END CERTIFICATE-----\n`);
    expect(() => splitPemCertificateChain('nothing here')).toThrow(/no CERTIFICATE block/);
    expect(() => splitPemCertificateChain(cert('A==='))).toThrow(/not valid base64/);
  });
});
