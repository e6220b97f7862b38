/**
 * nginx cache control against real nginx servers running certledger.lua's admin handler: a pool
 * of a plain http server, an https one behind auth_basic (its certificate from a test CA given as
 * the CA bundle) and a dead URL; both APIs report each server; and the automatic expiry makes
 * both servers hand out a newly imported certificate without anyone calling expire.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NginxCacheExpired } from '../../src/domain/nginx-cache/events.js';
import { nginxCacheStreams } from '../../src/domain/shared/ids.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import { createNginxCacheClient } from '../../src/infra/nginx/client.js';
import type { NginxCacheClient } from '../../src/infra/nginx/port.js';
import { form, json, listenOn, startTestStack, type TestServer, type TestStack } from '../support/app.js';
import { freePort, NGINX_CACHE_LOCATION, startNginxCache, type TestNginxCache } from '../support/nginx.js';
import { createCa, createTestChain, issueLeaf, type TestChain } from '../support/pki.js';
import { until } from '../support/until.js';

/** A Redis database no other test file uses (11, 12, 13 are taken); flushed here first. */
const NGINX_CACHE_DB = 14;
const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
const EXPIRE = `${NGINX_CACHE_LOCATION}expire`;
const STATUS = `${NGINX_CACHE_LOCATION}status`;

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** The leaf nginx hands out for `servername`. */
function servedLeaf(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const leaf = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(leaf);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('error', reject);
  });
}

describe('nginx cache control with real nginx servers (pglite, Redis database 14)', () => {
  let stack: TestStack;
  let redis: Redis;
  let plain: TestNginxCache;
  let secured: TestNginxCache;
  let client: NginxCacheClient;
  let dead: string;
  const tlsPorts = { plain: 0, secured: 0 };
  const clients: NginxCacheClient[] = [];
  const servers: TestServer[] = [];
  const run = randomBytes(4).toString('hex');
  const domain = `x-${run}.cache.test`;
  const credentials = { user: 'certledger', password: `pw-${run}` };
  let adminCaPem = '';
  let current: TestChain;

  const upload = async (chain: TestChain): Promise<string> => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(res.status).toBe(200);
    return (await json(res)).certificate.id as string;
  };
  const primed = (certificateId: string) => until(() => redis.hget(`d1:${domain}`, 'c'), (c) => c === certificateId);
  const recorded = async () => (await stack.deps.store.readStream(nginxCacheStreams.nginxCache())).map((e) => ({ id: e.id, ...(e.data as NginxCacheExpired['data']) }));
  const post = (path: string, body?: unknown) => fetch(`${stack.admin.url}${path}`, {
    method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const newClient = (overrides: Partial<Parameters<typeof createNginxCacheClient>[0]> = {}) => {
    const made = createNginxCacheClient({
      servers: [plain.url, secured.url, dead], userpass: credentials, caBundlePem: adminCaPem,
      expirePath: EXPIRE, statusPath: STATUS, timeoutMs: 2_000, ...overrides,
    });
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    const flush = new Redis({ host: '127.0.0.1', port: 6379, db: NGINX_CACHE_DB, lazyConnect: true });
    await flush.connect();
    await flush.flushdb();
    flush.disconnect();

    const adminCa = await createCa({ name: 'nginx admin test CA' });
    adminCaPem = adminCa.certPem;
    const adminLeaf = await issueLeaf(adminCa, { names: ['127.0.0.1'], keyAlgorithm: 'EC' });
    const fallback = await issueLeaf(await createCa({ name: 'nginx fallback' }), { names: ['fallback.cache.test'], keyAlgorithm: 'EC' });
    tlsPorts.plain = await freePort();
    tlsPorts.secured = await freePort();
    // Long cache TTLs: only an expiry makes nginx look the name up again.
    const initLua = `require("certledger").new({ name = "default", shared_dict = "certledger",
      redis = { host = "127.0.0.1", port = 6379, db = ${NGINX_CACHE_DB}, style = 1 }, lru_ttl = 3600, shared_ttl = 3600, miss_ttl = 1 })`;
    const tlsServer = (port: number) => `
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate fallback.crt;
    ssl_certificate_key fallback.key;
    ssl_certificate_by_lua_block { require("certledger").ssl_certificate("default") }
    location / { return 200 "ok"; }
  }`;
    const files = { 'fallback.crt': fallback.certPem, 'fallback.key': fallback.keyPem };
    plain = await startNginxCache({ initLua, files, http: tlsServer(tlsPorts.plain) });
    secured = await startNginxCache({ initLua, files, http: tlsServer(tlsPorts.secured), tls: adminLeaf, basicAuth: credentials });
    dead = `http://127.0.0.1:${await freePort()}`;
    client = newClient();

    stack = await startTestStack('pglite', {
      redis: true, redisDb: NGINX_CACHE_DB,
      prime: { settings: { pollIntervalMs: 100, retryInitialMs: 50, retryMaxMs: 400 } },
      nginx: client, nginxAutoExpire: { pollIntervalMs: 100, retryInitialMs: 50, retryMaxMs: 400, servedTimeoutMs: 10_000 },
    });
    redis = stack.redis as Redis;
    current = await createTestChain({ names: [domain], keyAlgorithm: 'EC' });
    await primed(await upload(current));
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await stack?.close();
    for (const made of clients) await made.close();
    await plain?.stop();
    await secured?.stop();
  });

  it('flushes every server through the peter_sslers route and records one event with each answer', async () => {
    const res = await post(`${PREFIX}/api/nginx/cache-flush.json`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      result: 'success',
      servers_status: { success: [plain.url, secured.url], errors: [dead] },
    });
    expect(body.servers_status.servers[plain.url]).toEqual({ result: 'success', expired: 'all' });
    expect(body.servers_status.servers[secured.url]).toEqual({ result: 'success', expired: 'all' });
    expect(body.servers_status.servers[dead]).toMatchObject({ status: 'error', error: 'Exception' });
    expect(body.servers_status.servers[dead].Exception).toMatch(/ECONNREFUSED/);
    // Each live nginx saw the request (the https one through auth_basic).
    expect(await plain.requests()).toContain(`GET ${EXPIRE}/all 200`);
    expect(await secured.requests()).toContain(`GET ${EXPIRE}/all 200`);

    const event = (await recorded()).find((e) => e.id === body.operations_event.id);
    expect(event).toMatchObject({ scope: 'all', trigger: 'operator' });
    expect(event?.results).toEqual([
      expect.objectContaining({ server: plain.url, ok: true, status: 200 }),
      expect.objectContaining({ server: secured.url, ok: true, status: 200 }),
      expect.objectContaining({ server: dead, ok: false, error: expect.stringMatching(/ECONNREFUSED/) }),
    ]);
    expect(JSON.stringify(event)).not.toContain(credentials.password);
  });

  it('reads every server status through both APIs (nothing recorded)', async () => {
    const before = (await recorded()).length;
    const compat = await json(await fetch(`${stack.admin.url}${PREFIX}/api/nginx/status.json`));
    expect(compat).toMatchObject({ result: 'success', servers_status: { success: [plain.url, secured.url], errors: [dead] } });
    expect(compat.servers_status.servers[secured.url]).toMatchObject({ result: 'success', status: { instances: { default: { shared_dict: 'certledger' } } } });
    const native = await json(await fetch(`${stack.admin.url}/api/v1/nginx/status`));
    expect(native.success).toEqual([plain.url, secured.url]);
    expect(native.errors).toEqual([dead]);
    expect(native.servers[0]).toMatchObject({ server: plain.url, ok: true, status: 200, answer: { result: 'success' } });
    expect(native.servers[2]).toMatchObject({ server: dead, ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(await secured.requests()).toContain(`GET ${STATUS} 200`);
    expect((await recorded()).length).toBe(before);
  });

  it('expires named domains on every server through the native API, validating the body', async () => {
    const other = `other-${run}.cache.test`;
    const res = await post('/api/v1/nginx/expire', { domain_names: [domain.toUpperCase(), other] });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.success).toEqual([plain.url, secured.url]);
    expect(body.errors).toEqual([dead]);
    expect(body.servers[1]).toMatchObject({ server: secured.url, ok: true, domains: [{ domain_name: domain, ok: true }, { domain_name: other, ok: true }] });
    expect(body.servers[2].error).toMatch(/^2 of 2 failed: /);
    for (const nginx of [plain, secured]) {
      expect(await nginx.requests()).toEqual(expect.arrayContaining([`GET ${EXPIRE}/domain/${domain} 200`, `GET ${EXPIRE}/domain/${other} 200`]));
    }
    const event = (await recorded()).find((e) => e.id === body.event_id);
    expect(event).toMatchObject({ scope: 'domains', domainNames: [domain, other].sort(), trigger: 'operator' });

    for (const bad of [{}, { domain_names: [] }, { domain_names: ['not a name'] }, { domain_names: 'x.test' }]) {
      const refused = await post('/api/v1/nginx/expire', bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(Object.keys((await json(refused)).form_errors).join(',')).toMatch(/^domain_names/);
    }
  });

  it('reports a server whose password is wrong (401) or whose certificate is not trusted, and keeps the others', async () => {
    const wrong = newClient({ userpass: { user: credentials.user, password: 'wrong' } });
    const flushed = await wrong.expireAll();
    expect(flushed.success).toEqual([plain.url]);
    expect(flushed.errors).toEqual([secured.url, dead]);
    expect(flushed.servers[1]).toMatchObject({ server: secured.url, ok: false, status: 401, error: 'HTTP 401' });
    expect(await secured.requests()).toContain(`GET ${EXPIRE}/all 401`);

    const app = await listenOn(createAdminApp({ ...stack.deps, nginx: wrong }));
    servers.push(app);
    const compat = await json(await fetch(`${app.url}${PREFIX}/api/nginx/status.json`));
    expect(compat.servers_status.errors).toEqual([secured.url, dead]);
    expect(compat.servers_status.servers[secured.url]).toMatchObject({ status: 'error', error: 'response', response: { status_code: 401 } });

    const untrusted = newClient({ caBundlePem: undefined });
    const status = await untrusted.status();
    expect(status.servers[1]).toMatchObject({ server: secured.url, ok: false });
    expect(status.servers[1]?.status).toBeUndefined();
    expect(status.servers[1]?.error).toMatch(/certificate/i);
  });

  it('gives up on a server that does not answer: a timeout, and no further names sent to an unreachable one', async () => {
    // Accepts connections and never answers, as a hung nginx would.
    const sockets: Socket[] = [];
    const hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    try {
      const slow = newClient({ servers: [plain.url, hungUrl, dead], timeoutMs: 300, concurrency: 1 });
      const started = Date.now();
      const names = ['one.cache.test', 'two.cache.test', 'three.cache.test'];
      const expired = await slow.expireDomains(names);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(expired.success).toEqual([plain.url]);
      const [, hungResult, deadResult] = expired.servers;
      expect(hungResult?.domains).toEqual([
        { domainName: 'one.cache.test', ok: false, error: 'timeout after 300 ms' },
        { domainName: 'two.cache.test', ok: false, error: 'not sent: timeout after 300 ms' },
        { domainName: 'three.cache.test', ok: false, error: 'not sent: timeout after 300 ms' },
      ]);
      expect(deadResult?.domains?.map((d) => d.error)).toEqual([
        expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/^not sent: .*ECONNREFUSED/), expect.stringMatching(/^not sent: .*ECONNREFUSED/),
      ]);
      expect(deadResult?.error).toMatch(/^3 of 3 failed: one\.cache\.test \(/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => hung.close(r));
    }
  });

  it('answers "nginx is not enabled" when no server is configured', async () => {
    const app = await listenOn(createAdminApp({ ...stack.deps, nginx: undefined }));
    servers.push(app);
    for (const res of [await fetch(`${app.url}${PREFIX}/api/nginx/cache-flush.json`, { method: 'POST' }), await fetch(`${app.url}${PREFIX}/api/nginx/status.json`)]) {
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ result: 'error', error: 'nginx is not enabled', code: 'not_enabled', message: 'nginx is not enabled (set CERTLEDGER_NGINX_SERVERS)' });
    }
    for (const res of [
      await fetch(`${app.url}/api/v1/nginx/cache-flush`, { method: 'POST' }),
      await fetch(`${app.url}/api/v1/nginx/status`),
      await fetch(`${app.url}/api/v1/nginx/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"domain_names":["a.test"]}' }),
    ]) {
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ result: 'error', code: 'service_unavailable', message: expect.stringContaining('CERTLEDGER_NGINX_SERVERS') });
    }
  });

  it('expires the domain on both servers by itself when a new certificate is imported', async () => {
    // Both servers have the current certificate cached for an hour.
    for (const port of Object.values(tlsPorts)) {
      await until(() => servedLeaf(port, domain), (leaf) => leaf === fingerprint(current.leaf.certPem));
    }
    const next = await createTestChain({ names: [domain], keyAlgorithm: 'EC', notAfter: new Date(Date.now() + 120 * DAY) });
    const nextId = await upload(next);
    for (const port of Object.values(tlsPorts)) {
      await until(() => servedLeaf(port, domain), (leaf) => leaf === fingerprint(next.leaf.certPem), 5_000);
    }
    expect(await redis.hget(`d1:${domain}`, 'c')).toBe(nextId);
    const automatic = (await recorded()).filter((e) => e.trigger === 'certificate-changed');
    const last = automatic.at(-1);
    expect(last).toMatchObject({ scope: 'domains', domainNames: [domain] });
    expect(last?.results).toEqual([
      expect.objectContaining({ server: plain.url, ok: true }),
      expect.objectContaining({ server: secured.url, ok: true }),
      expect.objectContaining({ server: dead, ok: false }),
    ]);
    expect(stack.nginxExpiry?.status().lastError).toBeUndefined();
  });
});
