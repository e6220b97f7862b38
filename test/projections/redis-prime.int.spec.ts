import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseCertificate } from '../../src/infra/x509/certificate.js';
import { silentLogger } from '../../src/infra/logger.js';
import { PRIME_CHECKPOINT_KEY } from '../../src/projections/redis-prime/checkpoint.js';
import { fullPrime } from '../../src/projections/redis-prime/full-prime.js';
import { createPrimeRunner } from '../../src/projections/redis-prime/runner.js';
import { servedCertificates } from '../../src/projections/redis-prime/served.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import { form, json, listenOn, startTestStack, type TestStack } from '../support/app.js';
import { createCa, createTestChain, issueLeaf, type TestCa, type TestChain, type TestLeaf } from '../support/pki.js';
import { until } from '../support/until.js';

/** A Redis database no other test file uses; flushed here before the tests. */
const PRIME_DB = 12;
const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
const SETTINGS = { pollIntervalMs: 200, retryInitialMs: 50, retryMaxMs: 400 };

describe('the Redis prime projection (pglite, Redis database 12)', () => {
  let stack: TestStack;
  let redis: Redis;
  const run = randomBytes(4).toString('hex');
  const name = (label: string) => `${label}-${run}.prime.test`;

  const upload = async (leaf: Pick<TestLeaf, 'certPem' | 'keyPem'>, chainPem: string) => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: chainPem }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    return { certificateId: body.certificate.id as string, privateKeyId: body.private_key.id as string, chainId: body.certificate_ca_chain?.id as string };
  };
  const uploadChain = (c: TestChain) => upload(c.leaf, c.chainPem);
  const post = (path: string, body?: unknown) => fetch(`${stack.admin.url}${path}`, {
    method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const d1 = (domain: string) => redis.hgetall(`d1:${domain}`);
  const gone = (domain: string) => until(() => redis.exists(`d1:${domain}`, `d2:${domain}`), (n) => n === 0);
  const checkpoint = async () => BigInt((await redis.get(PRIME_CHECKPOINT_KEY)) ?? '0');
  const caughtUp = async () => {
    const head = await stack.deps.store.headPosition();
    await until(checkpoint, (p) => p === head);
  };

  beforeAll(async () => {
    const flush = new Redis({ host: '127.0.0.1', port: 6379, db: PRIME_DB, lazyConnect: true });
    await flush.connect();
    await flush.flushdb();
    flush.disconnect();
    stack = await startTestStack('pglite', { redis: true, redisDb: PRIME_DB, prime: { settings: SETTINGS } });
    redis = stack.redis as Redis;
  });
  afterAll(async () => stack?.close());

  it('writes a new certificate in both styles, with its checkpoint', async () => {
    const domain = name('new');
    const chain = await createTestChain({ names: [domain] });
    const { certificateId, privateKeyId, chainId } = await uploadChain(chain);
    const hash = await until(() => d1(domain), (h) => h.c === certificateId);
    expect(hash).toEqual({ c: certificateId, p: privateKeyId, i: chainId });
    expect(await redis.get(`c:${certificateId}`)).toBe(chain.leaf.certPem);
    expect(await redis.get(`i:${chainId}`)).toBe(chain.chainPem);
    expect(await redis.get(`p:${privateKeyId}`)).toContain('-----BEGIN PRIVATE KEY-----');
    const style2 = await redis.hgetall(`d2:${domain}`);
    expect(style2.f).toBe(chain.leaf.certPem + chain.chainPem);
    expect(style2.p).toBe(await redis.get(`p:${privateKeyId}`));
    await caughtUp();
  });

  it('moves a domain to its next-best certificate when one is deactivated, and deletes its keys when the last is revoked', async () => {
    const domain = name('fallback');
    const late = await uploadChain(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 60 * DAY) }));
    const early = await uploadChain(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 30 * DAY) }));
    await until(() => d1(domain), (h) => h.c === late.certificateId);
    expect((await post(`/api/v1/certificates/${late.certificateId}/deactivate`, { reason: 'moved' })).status).toBe(200);
    await until(() => d1(domain), (h) => h.c === early.certificateId);
    expect((await redis.hgetall(`d2:${domain}`)).p).toBe(await redis.get(`p:${early.privateKeyId}`));
    expect((await post(`/api/v1/certificates/${early.certificateId}/revoke`, { reason: 'key leaked' })).status).toBe(200);
    await gone(domain);
    await caughtUp();
  });

  it('deletes the keys of a deactivated domain and writes them again when it is activated', async () => {
    const domain = name('domain');
    const { certificateId } = await uploadChain(await createTestChain({ names: [domain] }));
    await until(() => d1(domain), (h) => h.c === certificateId);
    expect((await post(`/api/v1/domains/${domain}/deactivate`, { reason: 'customer left' })).status).toBe(200);
    await gone(domain);
    expect((await post(`/api/v1/domains/${domain}/activate`, { reason: 'customer back' })).status).toBe(200);
    await until(() => d1(domain), (h) => h.c === certificateId);
    await caughtUp();
  });

  it('rewrites i: and f when the chain preference changes, over several MULTIs', async () => {
    // chunkSize 2: the policy change (every domain) is written over several MULTIs.
    await stack.prime!.stop();
    const chunkedRedis = redis.duplicate();
    const chunked = createPrimeRunner({
      store: stack.deps.store, db: stack.deps.db, vault: stack.deps.vault, redis: chunkedRedis, logger: silentLogger,
      options: { styles: [1, 2], ttlSeconds: {} }, settings: { ...SETTINGS, chunkSize: 2 },
      waitForCatalog: (position, timeoutMs) => stack.projectionSet.waitFor(position, { projections: ['catalog'], timeoutMs }),
    });
    chunked.start();
    onTestFinished(() => chunkedRedis.disconnect());
    const domain = name('pref');
    const oldRoot: TestCa = await createCa({ name: 'Old Root' });
    const root = await createCa({ name: 'New Root' });
    const crossSigned = await createCa({ name: root.name, keys: root.keys, issuer: oldRoot });
    const intermediate = await createCa({ name: 'Issuing CA', issuer: root });
    const leaf = await issueLeaf(intermediate, { names: [domain] });
    const short = await upload(leaf, intermediate.certPem);
    const long = await upload(leaf, intermediate.certPem + crossSigned.certPem);
    await until(() => d1(domain), (h) => h.c === short.certificateId && h.i === short.chainId);
    const policy = (fingerprints: string[]) => fetch(`${stack.admin.url}/api/v1/chain-preference`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fingerprints_sha1: fingerprints }),
    });
    expect((await policy([parseCertificate(crossSigned.certPem).fingerprintSha1])).status).toBe(200);
    await until(() => d1(domain), (h) => h.i === long.chainId);
    expect(await redis.get(`i:${long.chainId}`)).toBe(intermediate.certPem + crossSigned.certPem);
    expect((await redis.hgetall(`d2:${domain}`)).f).toBe(leaf.certPem + intermediate.certPem + crossSigned.certPem);
    expect((await policy([])).status).toBe(200);
    await until(() => d1(domain), (h) => h.i === short.chainId);
    expect((await redis.hgetall(`d2:${domain}`)).f).toBe(leaf.certPem + intermediate.certPem);
    await caughtUp();
    // Every domain, over every chunk, holds what the catalog serves.
    const names = (await stack.deps.db.selectFrom('domains').select('domain_name').execute()).map((d) => d.domain_name);
    expect(names.length).toBeGreaterThan(2);
    const served = await servedCertificates(stack.deps, names);
    for (const [n, cert] of served) {
      if (cert) expect(await d1(n)).toEqual({ c: cert.certificateId, p: cert.privateKeyId, i: cert.chainId });
      else expect(await redis.exists(`d1:${n}`)).toBe(0);
    }
    await chunked.stop();
    stack.prime!.start();
  });

  it('does not re-apply after a restart, and resumes a batch a crash left unwritten', async () => {
    const domain = name('restart');
    const { certificateId } = await uploadChain(await createTestChain({ names: [domain] }));
    await until(() => d1(domain), (h) => h.c === certificateId);
    await caughtUp();
    const prime = stack.prime!;
    await prime.stop();
    // Restart: the checkpoint is at the head, so nothing is written again (the marker survives).
    await redis.hset(`d2:${domain}`, 'marker', 'untouched');
    prime.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(await redis.hget(`d2:${domain}`, 'marker')).toBe('untouched');
    await prime.stop();

    // Crash before the MULTI of the last batch: neither its keys nor its checkpoint were written.
    const [imported] = await stack.deps.store.readStream(`certificate-${certificateId}`);
    await redis.set(PRIME_CHECKPOINT_KEY, (imported!.position - 1n).toString());
    await redis.del(`d1:${domain}`, `d2:${domain}`);
    prime.start();
    await until(() => d1(domain), (h) => h.c === certificateId);
    expect(await redis.hget(`d2:${domain}`, 'marker')).toBeNull();
    await caughtUp();
  });

  it('retries while Redis is unreachable, keeps serving, and catches up once it answers', async () => {
    await stack.prime!.stop();
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const away = new Redis({ host: '127.0.0.1', port, db: PRIME_DB, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    away.on('error', () => undefined);
    const runner = createPrimeRunner({
      store: stack.deps.store, db: stack.deps.db, vault: stack.deps.vault, redis: away, logger: silentLogger,
      options: { styles: [1, 2], ttlSeconds: {} }, settings: SETTINGS,
      waitForCatalog: (position, timeoutMs) => stack.projectionSet.waitFor(position, { projections: ['catalog'], timeoutMs }),
    });
    await redis.flushdb();
    runner.start();
    const domain = name('outage');
    const { certificateId } = await uploadChain(await createTestChain({ names: [domain] }));
    const served = await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${domain}/config.json?idonly=1`));
    expect(served.certificate_signed__latest_single.id).toBe(certificateId);
    await until(async () => runner.status().lastError, (e) => e !== undefined);
    expect(await redis.exists(`d1:${domain}`)).toBe(0);

    // Redis "returns" on that port: a TCP relay to the real server.
    const relay = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
    }).listen(port, '127.0.0.1');
    try {
      await until(() => d1(domain), (h) => h.c === certificateId);
      await caughtUp();
      // The checkpoint can be read before the runner has handled EXEC's reply.
      await until(async () => runner.status().lastError, (e) => e === undefined);
    } finally {
      await runner.stop();
      away.disconnect();
      await new Promise((r) => relay.close(r));
    }
    stack.prime!.start();
  });

  it('shows its position in /readyz and /api/v1/projections, from the runner or from Redis', async () => {
    await caughtUp();
    const head = (await stack.deps.store.headPosition()).toString();
    const ready = await json(await fetch(`${stack.admin.url}/readyz`));
    expect(ready.redis_prime).toEqual({ position: head, lag: '0', last_error: null });
    const listed = await json(await fetch(`${stack.admin.url}/api/v1/projections`));
    expect(listed.redis_prime).toEqual({ position: head, lag: '0', last_error: null });
    // A process without the prime runner (admin role only) reads the checkpoint from Redis.
    const adminOnly = await listenOn(createAdminApp({ ...stack.deps, primeStatus: undefined }));
    try {
      await redis.set(PRIME_CHECKPOINT_KEY, '1');
      const seen = await json(await fetch(`${adminOnly.url}/api/v1/projections`));
      expect(seen.redis_prime).toEqual({ position: '1', lag: (BigInt(head) - 1n).toString(), last_error: null });
      const withoutRedis = await listenOn(createAdminApp({ ...stack.deps, primeStatus: undefined, redis: undefined }));
      try {
        expect((await json(await fetch(`${withoutRedis.url}/readyz`))).redis_prime).toBeNull();
      } finally {
        await withoutRedis.close();
      }
    } finally {
      await redis.set(PRIME_CHECKPOINT_KEY, head);
      await adminOnly.close();
    }
  });

  it('primes everything on demand and reports the counts (native and peter_sslers routes)', async () => {
    await redis.flushdb();
    const res = await post('/api/v1/redis/prime');
    expect(res.status).toBe(200);
    const body = await json(res);
    const domains = await stack.deps.db.selectFrom('domains').select(['domain_name', 'is_active']).execute();
    const serving = [];
    for (const d of domains) if ((await redis.exists(`d1:${d.domain_name}`)) === 1) serving.push(d.domain_name);
    // In pages of 3, every domain holds what the catalog serves it, read one domain at a time.
    const paged = await fullPrime({ db: stack.deps.db, vault: stack.deps.vault, redis, options: { styles: [1, 2], ttlSeconds: {} } }, { pageSize: 3 });
    expect(paged).toMatchObject({ domains: body.domains, removed: body.removed, certificates: body.certificates, batches: Math.ceil(domains.length / 3) });
    const served = await servedCertificates(stack.deps, domains.map((d) => d.domain_name));
    expect([...served.values()].filter(Boolean).length).toBe(serving.length);
    for (const [n, cert] of served) {
      expect(await d1(n)).toEqual(cert ? { c: cert.certificateId, p: cert.privateKeyId, i: cert.chainId } : {});
      expect(await redis.hgetall(`d2:${n}`)).toEqual(cert ? { p: cert.privateKeyPem, f: cert.fullchainPem } : {});
    }
    expect(body).toMatchObject({ domains: serving.length, removed: domains.length - serving.length, styles: [1, 2] });
    expect(body.domains).toBeGreaterThanOrEqual(4);
    expect(body.certificates).toBeGreaterThanOrEqual(4);
    expect(await redis.exists(`d1:${name('new')}`, `d2:${name('new')}`)).toBe(2);
    expect(await redis.exists(`d1:${name('fallback')}`)).toBe(0);

    const compat = await json(await fetch(`${stack.admin.url}${PREFIX}/api/redis/prime.json`, { method: 'POST' }));
    expect(compat).toEqual({ result: 'success', operations_event: { id: expect.any(String), total_primed: { domain: body.domains, cert: body.certificates, removed: body.removed } }, prime_style: '1,2' });
    // Each full prime is recorded, under the id both routes return.
    const recorded = await stack.deps.store.readStream('redisPrime-global');
    expect(recorded.map((e) => e.id).slice(-2)).toEqual([body.event_id, compat.operations_event.id]);
    expect(recorded.at(-1)).toMatchObject({ type: 'RedisPrimeWritten', data: { domains: body.domains, certificates: body.certificates, removed: body.removed, styles: [1, 2] }, metadata: { actor: 'api' } });
    // The flush above moved the checkpoint under the runner, which primes again from 0: let it finish before the next test.
    await caughtUp();
  });

  it('writes only the configured styles, with the configured TTL per kind', async () => {
    const domain = name('new');
    await fullPrime({ db: stack.deps.db, vault: stack.deps.vault, redis, options: { styles: [2], ttlSeconds: { d2: 100 } } });
    expect(await redis.exists(`d1:${domain}`)).toBe(0);
    const ttl = await redis.ttl(`d2:${domain}`);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await fullPrime({ db: stack.deps.db, vault: stack.deps.vault, redis, options: { styles: [1, 2], ttlSeconds: { c: 300 } } });
    const { c } = await d1(domain);
    expect(await redis.ttl(`c:${c}`)).toBeGreaterThan(290);
    expect(await redis.ttl(`d1:${domain}`)).toBe(-1);
    expect(await redis.ttl(`d2:${domain}`)).toBe(-1);
  });

  it('figures: the append-to-Redis delay and the full-prime rate (printed, not asserted)', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const domain = name(`delay${i}`);
      const chain = await createTestChain({ names: [domain] });
      const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
        method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
      });
      const appendedAt = performance.now();
      const { certificate } = await json(res);
      await until(() => redis.hget(`d1:${domain}`, 'c'), (c) => c === certificate.id, 10_000, 1);
      delays.push(performance.now() - appendedAt);
    }
    // Many domains cheaply: multi-domain certificates of 100 names each.
    const perCertificate = 100;
    const certificates = 20;
    const intermediate = (await createTestChain({ names: ['unused.prime.test'] })).intermediate;
    for (let c = 0; c < certificates; c++) {
      const names = Array.from({ length: perCertificate }, (_, i) => name(`bulk${c}-${i}`));
      const leaf = await issueLeaf(intermediate, { names, keyAlgorithm: 'EC' });
      await upload(leaf, intermediate.certPem);
    }
    await caughtUp();
    const res = await json(await post('/api/v1/redis/prime'));
    const rate = Math.round((res.domains / res.elapsed_ms) * 1000);
    console.log(`[redis prime] append → d1 key delay ms: ${delays.map((d) => d.toFixed(1)).join(', ')}; full prime: ${res.domains} domains, ${res.certificates} certificates in ${res.elapsed_ms} ms (${rate} domains/s, ${res.batches} pipelines)`);
    expect(res.domains).toBeGreaterThanOrEqual(perCertificate * certificates);
  }, 240_000);
});
