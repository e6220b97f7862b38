import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicApp } from '../../src/http/public-app.js';
import { listenOn, startTestStack, type TestServer, type TestStack } from '../support/app.js';

/** One GET from a chosen loopback address (the limiter keys on the TCP peer). */
const get = (url: string, localAddress: string) => new Promise<{ status: number; retryAfter?: string; ms: number }>((resolve, reject) => {
  const started = performance.now();
  const req = request(url, { localAddress, agent: false }, (res) => {
    res.resume();
    res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, ms: performance.now() - started }));
  });
  req.on('error', reject);
  req.end();
});

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

describe('floods of unknown challenge tokens (public app) and unknown SNI names (config.json)', () => {
  let stack: TestStack;
  let limited: TestServer;
  beforeAll(async () => {
    stack = await startTestStack('pglite');
    limited = await listenOn(createPublicApp({ ...stack.deps, publicRateLimit: { limit: 200, windowMs: 60_000 } }));
  });
  afterAll(async () => {
    await limited?.close();
    await stack?.close();
  });

  it('answers 429 past the limit to the flooding address only, and keeps answering the others', async () => {
    const flood: { status: number; retryAfter?: string; ms: number }[] = [];
    const bystander: number[] = [];
    for (let round = 0; round < 40; round++) {
      const burst = Array.from({ length: 25 }, () => get(`${limited.url}/.well-known/acme-challenge/${randomBytes(32).toString('base64url')}`, '127.0.0.1'));
      flood.push(...await Promise.all(burst));
      const other = await get(`${limited.url}/.well-known/acme-challenge/${randomBytes(32).toString('base64url')}`, '127.0.0.2');
      expect(other.status).toBe(404);
      bystander.push(other.ms);
    }
    const refused = flood.filter((r) => r.status === 429);
    expect(flood.filter((r) => r.status === 404)).toHaveLength(200);
    expect(refused).toHaveLength(800);
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThan(0);
    // Health probes are never limited: a load balancer must see the instance up.
    expect((await get(`${limited.url}/healthz`, '127.0.0.1')).status).toBe(200);
    // nginx asks config.json for every SNI name it has not cached: unknown names cost one indexed read and a 404.
    const unknownNames: number[] = [];
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(Array.from({ length: 25 }, async () => {
        const started = performance.now();
        const res = await fetch(`${stack.admin.url}/.well-known/peter_sslers/domain/${randomBytes(6).toString('hex')}.unknown-sni.example/config.json`);
        await res.arrayBuffer();
        return { status: res.status, ms: performance.now() - started };
      }));
      for (const a of answers) {
        expect(a.status).toBe(404);
        unknownNames.push(a.ms);
      }
    }
    console.log(`unknown SNI names: 500 config.json lookups, all 404, p50 ${percentile(unknownNames, 0.5).toFixed(2)} ms, p99 ${percentile(unknownNames, 0.99).toFixed(2)} ms (25 in flight)`);
    expect(await stack.deps.store.headPosition()).toBe(0n);
    console.log(`public flood: 1,000 unknown tokens from one address (200 answered 404, 800 refused 429: p50 ${percentile(refused.map((r) => r.ms), 0.5).toFixed(2)} ms, p99 ${percentile(refused.map((r) => r.ms), 0.99).toFixed(2)} ms); another address p50 ${percentile(bystander, 0.5).toFixed(2)} ms, p99 ${percentile(bystander, 0.99).toFixed(2)} ms`);
  });
});
