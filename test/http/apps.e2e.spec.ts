import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain } from '../support/pki.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const TOKEN = 'a-long-admin-token-for-tests';

describe('admin and public apps', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('pglite', { adminToken: TOKEN, redis: true });
  });
  afterAll(async () => stack?.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers 401 on every admin route without the bearer token', async () => {
    for (const path of [`${PREFIX}/domain/a.example.test/config.json`, '/api/v1/certificates', '/api/v1/projections']) {
      const res = await fetch(`${stack.admin.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('x-peter-sslers')).toBe('admin');
      expect((await fetch(`${stack.admin.url}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(403);
    }
    const upload = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, { method: 'POST', body: form({ x: 'y' }) });
    expect(upload.status).toBe(401);
    expect((await fetch(`${stack.admin.url}/api/v1/certificates`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${stack.admin.url}/healthz`)).status).toBe(200);
  });

  it('never serves an admin route on the public app, and names its role', async () => {
    const res = await fetch(`${stack.public.url}${PREFIX}/domain/a.example.test/config.json`, { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-peter-sslers')).toBe('public');
    expect((await fetch(`${stack.public.url}/api/v1/certificates`, { headers: auth })).status).toBe(404);
    const whoami = await new Promise<string>((resolve, reject) => {
      const req = request(`${stack.public.url}/.well-known/public/whoami`, { headers: { host: 'shop.example.test' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(whoami).toBe('shop.example.test');
  });

  it('reports readiness once projections have caught up', async () => {
    const res = await fetch(`${stack.admin.url}/readyz`);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('ready');
    expect((await fetch(`${stack.public.url}/readyz`)).status).toBe(200);
  });

  it('writes the domain through to the Redis prime with ?openresty=1', async () => {
    const chain = await createTestChain({ names: ['prime.example.test'] });
    const up = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', headers: auth,
      body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(up.status).toBe(200);
    const redis = stack.redis!;
    await redis.del('d1:prime.example.test', 'd2:prime.example.test');
    const plain = await json(await fetch(`${stack.admin.url}${PREFIX}/domain/prime.example.test/config.json`, { headers: auth }));
    expect(await redis.exists('d1:prime.example.test')).toBe(0);

    await fetch(`${stack.admin.url}${PREFIX}/domain/prime.example.test/config.json?openresty=1`, { headers: auth });
    const c = plain.certificate_signed__latest_single;
    expect(await redis.hgetall('d1:prime.example.test')).toEqual({ c: c.certificate.id, p: c.private_key.id, i: c.chain.id });
    expect(await redis.get(`c:${c.certificate.id}`)).toBe(c.certificate.pem);
    expect(await redis.get(`p:${c.private_key.id}`)).toBe(c.private_key.pem);
    expect(await redis.get(`i:${c.chain.id}`)).toBe(c.chain.pem);
    expect(await redis.hgetall('d2:prime.example.test')).toEqual({ p: c.private_key.pem, f: c.fullchain.pem });
  });
});
