/**
 * npm run bench:prime — the Redis prime with 100,000 domains: full-prime rate per style beside
 * plain pipelined writes of the same keys and sizes (the Redis limit on this machine), and the
 * delay from an appended event to its key in Redis (p50/p99). The corpus goes through the real
 * upload path: certificates of BENCH_PRIME_NAMES names each (100 by default) until
 * BENCH_PRIME_DOMAINS domains exist. Redis database 15 is flushed. Figures only.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { fullPrime } from '../src/projections/redis-prime/full-prime.js';
import { PRIME_CHECKPOINT_KEY } from '../src/projections/redis-prime/checkpoint.js';
import { form, startTestStack, type TestStack } from '../test/support/app.js';
import { createCa, issueLeaf, type TestCa } from '../test/support/pki.js';

const DOMAINS = Number(process.env.BENCH_PRIME_DOMAINS ?? 100_000);
const NAMES = Number(process.env.BENCH_PRIME_NAMES ?? 100);
const KIND = (process.env.BENCH_PRIME_TARGET ?? 'postgres') as 'pglite' | 'postgres';
const DB = 15;
const PREFIX = '/.well-known/peter_sslers';
const UPLOADS_IN_FLIGHT = 4;

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;

async function upload(stack: TestStack, issuer: TestCa, names: string[]) {
  const leaf = await issueLeaf(issuer, { names, keyAlgorithm: 'EC' });
  const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
    method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: issuer.certPem }),
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { certificate: { id: string } };
}

async function until(probe: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function main() {
  const flush = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
  await flush.flushdb();
  const stack = await startTestStack(KIND, { redis: true, redisDb: DB, prime: { settings: { pollIntervalMs: 1_000 } } });
  const redis = stack.redis as Redis;
  const probe = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
  try {
    const issuer = await createCa({ issuer: await createCa() });
    const certificates = Math.ceil(DOMAINS / NAMES);
    process.stdout.write(`${KIND}: importing ${certificates} certificates of ${NAMES} names (${DOMAINS} domains)…\n`);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: UPLOADS_IN_FLIGHT }, async () => {
      while (next < certificates) {
        const c = next++;
        await upload(stack, issuer, Array.from({ length: Math.min(NAMES, DOMAINS - c * NAMES) }, (_, i) => `h${c}-${i}.prime.bench`));
      }
    }));
    const importSeconds = (performance.now() - t0) / 1000;
    const head = await stack.deps.store.headPosition();
    await until(async () => BigInt((await probe.get(PRIME_CHECKPOINT_KEY)) ?? '0') >= head, 600_000);
    const incrementalSeconds = (performance.now() - t0) / 1000;

    // The delay from an append to the key, measured from the append's notification in this process.
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      let appendedAt = 0;
      const stop = stack.deps.store.onAppended(() => {
        appendedAt ||= performance.now();
      });
      const name = `delay-${i}.prime.bench`;
      const { certificate } = await upload(stack, issuer, [name]);
      await until(async () => (await probe.hget(`d1:${name}`, 'c')) === certificate.id, 10_000);
      delays.push(performance.now() - appendedAt);
      stop();
    }

    const rows: string[] = [];
    for (const styles of [[1, 2], [1], [2]] as (1 | 2)[][]) {
      await redis.flushdb();
      const result = await fullPrime({ db: stack.deps.db, vault: stack.deps.vault, redis, options: { styles, ttlSeconds: {} } });
      rows.push(`| full prime, style ${styles.join('+')} | ${result.domains} | ${result.elapsedMs} | ${Math.round((result.domains / result.elapsedMs) * 1000)} |`);
    }

    // The same keys and sizes written as plain pipelined commands: what Redis itself allows here.
    const sample = await redis.hgetall(`d2:h0-0.prime.bench`);
    const d1 = await redis.hgetall(`d1:h0-0.prime.bench`);
    await redis.flushdb();
    const b0 = performance.now();
    for (let at = 0; at < DOMAINS; at += 2_000) {
      const pipeline = redis.pipeline();
      for (let i = at; i < Math.min(DOMAINS, at + 2_000); i++) {
        pipeline.del(`d2:b${i}`).hset(`d2:b${i}`, sample).del(`d1:b${i}`).hset(`d1:b${i}`, d1);
      }
      await pipeline.exec();
    }
    const baselineMs = performance.now() - b0;
    rows.push(`| pipelined DEL+HSET d1 and d2, same sizes (baseline) | ${DOMAINS} | ${Math.round(baselineMs)} | ${Math.round((DOMAINS / baselineMs) * 1000)} |`);

    console.log(`\nRedis prime bench (${KIND}, node ${process.version}): ${DOMAINS} domains on ${certificates} certificates`);
    console.log(`import through the upload API: ${importSeconds.toFixed(1)} s (${(DOMAINS / importSeconds).toFixed(0)} domains/s); incremental prime caught up after ${incrementalSeconds.toFixed(1)} s`);
    console.log(`append → d1 key in Redis (50 single-name uploads): p50 ${quantile(delays, 0.5).toFixed(1)} ms, p99 ${quantile(delays, 0.99).toFixed(1)} ms`);
    console.log('| what | domains | ms | domains/s |');
    console.log('|---|---:|---:|---:|');
    for (const row of rows) console.log(row);
    await redis.flushdb();
  } finally {
    probe.disconnect();
    flush.disconnect();
    await stack.close();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
