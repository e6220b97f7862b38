/**
 * The OpenResty integration (integrations/openresty/certledger.lua) in Debian's nginx with its
 * Lua module: for two domains, each handshake gets its own certificate and chain from the Redis
 * prime (style 1 and style 2) and from certledger's config.json (no Redis), and after a new
 * certificate is imported and the domain expired through the admin endpoint, the new one.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { freePort, startNginx, type TestNginx } from '../support/nginx.js';
import { createCa, createTestChain, issueLeaf, type TestChain } from '../support/pki.js';
import { until } from '../support/until.js';

/** A Redis database no other test file uses; flushed here before the tests. */
const NGINX_DB = 13;
const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;

type Handshake = { leaf: string; issuer: string | undefined; authorized: boolean; error?: string };

/** A TLS handshake to nginx with SNI, verified against `ca` (the domain's own root). */
function handshake(port: number, servername: string, ca: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      // The detailed chain first: asking for the X509Certificate before it leaves out the issuers.
      const detailed = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
      const peer = socket.getPeerX509Certificate();
      const issuer = detailed.issuerCertificate && detailed.issuerCertificate !== detailed
        ? detailed.issuerCertificate.fingerprint256 : undefined;
      const result = { leaf: peer?.fingerprint256 ?? '', issuer, authorized: socket.authorized, error: socket.authorizationError?.message };
      socket.end();
      resolve(result);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('error', reject);
  });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('OpenResty integration in a real nginx (pglite, Redis database 13)', () => {
  let stack: TestStack;
  let redis: Redis;
  let nginx: TestNginx;
  const ports = { style1: 0, style2: 0, api: 0, ttl: 0, admin: 0 };
  const run = randomBytes(4).toString('hex');
  const domains = [`alpha-${run}.nginx.test`, `beta-${run}.nginx.test`] as const;
  const chains = new Map<string, TestChain>();

  const upload = async (leaf: { certPem: string; keyPem: string }, chainPem: string): Promise<string> => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: chainPem }),
    });
    expect(res.status).toBe(200);
    return (await json(res)).certificate.id as string;
  };
  /** Both prime styles of `domain` point at `certificateId`. */
  const primed = (domain: string, certificateId: string) => until(
    async () => ({ d1: await redis.hget(`d1:${domain}`, 'c'), f: await redis.hget(`d2:${domain}`, 'f') }),
    (v) => v.d1 === certificateId && v.f !== null,
  );
  const admin = (path: string) => fetch(`http://127.0.0.1:${ports.admin}/certledger${path}`);
  const expectServes = async (port: number, domain: string, chain: TestChain) => {
    const got = await handshake(port, domain, chain.root.certPem);
    expect(got, `${domain} on port ${port}`).toEqual({
      leaf: fingerprint(chain.leaf.certPem), issuer: fingerprint(chain.intermediate.certPem), authorized: true, error: undefined,
    });
  };

  beforeAll(async () => {
    const flush = new Redis({ host: '127.0.0.1', port: 6379, db: NGINX_DB, lazyConnect: true });
    await flush.connect();
    await flush.flushdb();
    flush.disconnect();
    stack = await startTestStack('pglite', {
      redis: true, redisDb: NGINX_DB, prime: { settings: { pollIntervalMs: 100, retryInitialMs: 50, retryMaxMs: 400 } },
    });
    redis = stack.redis as Redis;
    for (const domain of domains) {
      const chain = await createTestChain({ names: [domain], keyAlgorithm: 'EC' });
      chains.set(domain, chain);
      await primed(domain, await upload(chain.leaf, chain.chainPem));
    }
    // The certificate nginx serves when certledger has none for the name.
    const fallbackCa = await createCa({ name: 'nginx fallback' });
    const fallback = await issueLeaf(fallbackCa, { names: ['fallback.nginx.test'], keyAlgorithm: 'EC' });
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const redisOpts = (style: number) => `redis = { host = "127.0.0.1", port = 6379, db = ${NGINX_DB}, style = ${style} }`;
    const ttls = 'lru_ttl = 60, shared_ttl = 600, miss_ttl = 1';
    const server = (port: number, instance: string) => `
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate fallback.crt;
    ssl_certificate_key fallback.key;
    ssl_certificate_by_lua_block { require("certledger").ssl_certificate("${instance}") }
    location / { return 200 "ok"; }
  }`;
    nginx = await startNginx({
      files: { 'fallback.crt': fallback.certPem, 'fallback.key': fallback.keyPem },
      initLua: `
    local certledger = require "certledger"
    certledger.new({ name = "style1", ${redisOpts(1)}, ${ttls} })
    certledger.new({ name = "style2", ${redisOpts(2)}, ${ttls} })
    certledger.new({ name = "api", api = { url = "${stack.admin.url}${PREFIX}" }, ${ttls} })
    certledger.new({ name = "ttl", ${redisOpts(1)}, lru_ttl = 0.3, shared_ttl = 0.3, miss_ttl = 0.3 })`,
      http: `
  lua_shared_dict certledger 4m;
${server(ports.style1, 'style1')}
${server(ports.style2, 'style2')}
${server(ports.api, 'api')}
${server(ports.ttl, 'ttl')}
  server {
    listen 127.0.0.1:${ports.admin};
    location /certledger/ { content_by_lua_block { require("certledger").admin({ allow = { "127.0.0.1" } }) } }
    location /locked/ { content_by_lua_block { require("certledger").admin({ allow = { "192.0.2.1" } }) } }
  }`,
    });
  }, 60_000);
  afterAll(async () => {
    await nginx?.stop();
    await stack?.close();
  });

  it('serves each domain its own certificate and chain from Redis style 1, style 2 and the API fallback', async () => {
    for (const port of [ports.style1, ports.style2, ports.api]) {
      for (const domain of domains) await expectServes(port, domain, chains.get(domain)!);
    }
    // Second round: from the worker caches, same answers.
    for (const port of [ports.style1, ports.style2, ports.api]) {
      for (const domain of domains) await expectServes(port, domain, chains.get(domain)!);
    }
    const status = await json(await admin('/status'));
    expect(status.result).toBe('success');
    const stats = (name: string) => status.status.instances[name].stats;
    expect(stats('style1')).toMatchObject({ redis_hit: 2, api_hit: 0, lru_hit: 2, errors: 0 });
    expect(stats('style2')).toMatchObject({ redis_hit: 2, api_hit: 0, lru_hit: 2, errors: 0 });
    expect(stats('api')).toMatchObject({ redis_hit: 0, api_hit: 2, lru_hit: 2, errors: 0 });
    expect(status.status.instances.style2.redis.styles).toEqual([2]);
  });

  it('reads style 1 and style 2 from their own keys', async () => {
    // A style-2-only domain: the style 1 server misses it (and serves the fallback), style 2 finds it.
    const domain = `gamma-${run}.nginx.test`;
    const chain = await createTestChain({ names: [domain], keyAlgorithm: 'EC' });
    await redis.hset(`d2:${domain}`, { p: chain.leaf.keyPem, f: chain.leaf.certPem + chain.chainPem });
    await expectServes(ports.style2, domain, chain);
    const missed = await handshake(ports.style1, domain, chain.root.certPem);
    expect(missed.authorized).toBe(false);
    expect(missed.leaf).not.toBe(fingerprint(chain.leaf.certPem));
  });

  it('serves the new certificate after an import once the domain is expired through the endpoint, or its cache TTL passed', async () => {
    const [renewed, untouched] = domains;
    const old = chains.get(renewed)!;
    await expectServes(ports.ttl, renewed, old);
    const next = await createTestChain({ names: [renewed], keyAlgorithm: 'EC', notAfter: new Date(Date.now() + 120 * DAY) });
    await primed(renewed, await upload(next.leaf, next.chainPem));
    // Cached: still the old certificate until expired.
    for (const port of [ports.style1, ports.style2, ports.api]) await expectServes(port, renewed, old);
    // Short cache TTLs: the new certificate arrives without any expiry call.
    await until(() => handshake(ports.ttl, renewed, next.root.certPem), (got) => got.leaf === fingerprint(next.leaf.certPem), 5_000);
    await expectServes(ports.ttl, renewed, next);
    const expired = await admin(`/expire/domain/${renewed}`);
    expect(await json(expired)).toEqual({ result: 'success', expired: 'domain', domain: renewed });
    for (const port of [ports.style1, ports.style2, ports.api]) {
      await expectServes(port, renewed, next);
      await expectServes(port, untouched, chains.get(untouched)!);
    }
    chains.set(renewed, next);
    // Expire all: everything is looked up again, with the same answers.
    expect(await json(await admin('/expire/all'))).toEqual({ result: 'success', expired: 'all' });
    for (const port of [ports.style1, ports.style2, ports.api]) {
      for (const domain of domains) await expectServes(port, domain, chains.get(domain)!);
    }
  });

  it('caches misses briefly and protects the admin endpoints with the allow list', async () => {
    const unknown = `unknown-${run}.nginx.test`;
    const before = (await json(await admin('/status'))).status.instances.api.stats;
    await handshake(ports.api, unknown, '');
    await handshake(ports.api, unknown, '');
    const after = (await json(await admin('/status'))).status.instances.api.stats;
    expect(after.miss - before.miss).toBe(1);
    expect(after.miss_cached - before.miss_cached).toBe(1);
    const locked = await fetch(`http://127.0.0.1:${ports.admin}/locked/expire/all`);
    expect(locked.status).toBe(403);
    expect((await admin('/nothing')).status).toBe(404);
    expect(await nginx.errorLog()).not.toMatch(/\[(error|crit|alert|emerg)\]/);
  });
});
