import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults, definePrimeCommands, queueDomain, queueDomains, type PrimeOptions } from '../../src/infra/redis/prime-commands.js';
import type { PrimeCertificate } from '../../src/infra/redis/prime-writer.js';

/** A Redis database no other test file uses; flushed before each case. */
const DB = 7;

const pem = (label: string, size: number) => `-----BEGIN ${label}-----\n${label.slice(0, 1).repeat(size)}\n-----END ${label}-----\n`;
const certificate = (n: number, over: Partial<PrimeCertificate> = {}): PrimeCertificate => {
  const base = { certificateId: `cert-${n}`, certificatePem: pem(`CERT${n}`, 700), privateKeyId: `key-${n}`, privateKeyPem: pem(`KEY${n}`, 200), chainId: 'chain-a', chainPem: pem('CHAINA', 1300), ...over };
  return { ...base, fullchainPem: base.certificatePem + base.chainPem, ...over };
};

/**
 * Certificates of 1 to 250 names (past one script call), one without chain, two sharing a key,
 * one whose fullchain is not certificate + chain, names of a certificate not adjacent, and
 * domains serving nothing.
 */
function domains(): [string, PrimeCertificate | null][] {
  const certs = [
    certificate(1),
    certificate(2, { chainId: '', chainPem: '' }),
    certificate(3, { privateKeyId: 'key-1', privateKeyPem: certificate(1).privateKeyPem, chainId: 'chain-b', chainPem: pem('CHAINB', 900) }),
    certificate(4),
    certificate(5, { fullchainPem: pem('OTHERFULLCHAIN', 1500) }),
  ];
  const names = [1, 1, 1, 250, 3];
  const out: [string, PrimeCertificate | null][] = [];
  for (let round = 0; round < 250; round++) {
    certs.forEach((cert, c) => {
      if (round < (names[c] as number)) out.push([`n${round}-c${c}.equal.test`, { ...cert }]);
    });
    if (round % 50 === 0) out.push([`gone${round}.equal.test`, null]);
  }
  return out;
}

type Dump = Record<string, { type: string; value: unknown; ttl: number }>;

describe('queueDomains (one script call per ~100 domains, grouped by certificate) leaves what queueDomain leaves', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = definePrimeCommands(new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: true }));
    await redis.connect();
  });
  afterAll(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  /** Keys from an older prime: stale fields, TTLs, a wrong type; the written hashes must not keep any. */
  const seed = async (input: [string, PrimeCertificate | null][]) => {
    await redis.flushdb();
    const pipeline = redis.pipeline();
    input.forEach(([name], i) => {
      if (i % 3 === 0) pipeline.hset(`d1:${name}`, { c: 'old', p: 'old', i: 'old', stale: 'x' }).expire(`d1:${name}`, 5_000);
      if (i % 3 === 1) pipeline.hset(`d2:${name}`, { p: 'old', f: 'old', stale: 'x' }).expire(`d2:${name}`, 5_000);
      if (i % 7 === 2) pipeline.set(`d2:${name}`, 'not a hash');
    });
    pipeline.set('c:cert-1', 'old', 'EX', 5_000).set('i:chain-a', 'old', 'EX', 5_000).set('unrelated', 'kept');
    checkResults(await pipeline.exec(), 'seed');
  };

  const dump = async (): Promise<Dump> => {
    const out: Dump = {};
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      const value = type === 'hash' ? await redis.hgetall(key) : await redis.get(key);
      const ttl = await redis.ttl(key);
      // A TTL read a second apart may differ by one.
      out[key] = { type, value, ttl: ttl > 0 ? Math.ceil(ttl / 10) : ttl };
    }
    return out;
  };

  /** The reference: queueDomain's commands, one domain at a time, in two chains sharing `written`. */
  const byDomain = async (input: [string, PrimeCertificate | null][], options: PrimeOptions) => {
    const written = new Set<string>();
    for (const part of [input.slice(0, 200), input.slice(200)]) {
      const multi = redis.multi();
      for (const [name, cert] of part) queueDomain(multi, name, cert, options, written);
      checkResults(await multi.exec(), 'reference');
    }
    return dump();
  };

  const grouped = async (input: [string, PrimeCertificate | null][], options: PrimeOptions) => {
    const written = new Set<string>();
    for (const part of [input.slice(0, 200), input.slice(200)]) {
      const multi = redis.multi();
      queueDomains(multi, part, options, written);
      checkResults(await multi.exec(), 'grouped');
    }
    return dump();
  };

  const cases: [string, PrimeOptions][] = [
    ['styles 1 and 2, no TTL', { styles: [1, 2], ttlSeconds: {} }],
    ['styles 1 and 2, a TTL per kind', { styles: [1, 2], ttlSeconds: { d1: 100, d2: 200, c: 300, p: 400, i: 500 } }],
    ['style 1, TTLs on strings only', { styles: [1], ttlSeconds: { c: 300, i: 500 } }],
    ['style 2, TTL on d2', { styles: [2], ttlSeconds: { d2: 200 } }],
  ];
  it.each(cases)('%s', async (_, options) => {
    const input = domains();
    await seed(input);
    const expected = await byDomain(input, options);
    await seed(input);
    const actual = await grouped(input, options);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    expect(actual).toEqual(expected);
    // The cases write what they claim: hashes of the served domains, none of the others.
    const served = input.filter(([, cert]) => cert).length;
    const hashes = Object.entries(actual).filter(([key, v]) => /^d[12]:/.test(key) && v.type === 'hash');
    expect(hashes.length).toBe(served * options.styles.length);
    expect(actual['d2:n0-c4.equal.test']?.value).toEqual(options.styles.includes(2) ? { p: certificate(5).privateKeyPem, f: pem('OTHERFULLCHAIN', 1500) } : undefined);
  });
});
