/**
 * npm run bench:prime — part 2: the full Redis prime of the bench corpus (bench/corpus.ts, 100,000
 * domains on certificates of 10 names by default) in style 1, style 2 and both, with the CPU it
 * costs this process, Redis and PostgreSQL, beside (a) the same commands (queueDomains' script
 * calls, same sizes, same 2,000-domain pipelines) written from memory through ioredis — what
 * Redis and ioredis allow without the database reads and key decrypts — and the per-domain
 * commands it replaced (queueDomain's DEL+HSET/SET; also without the DELs, and as raw RESP), (b)
 * `redis-benchmark` pipelined SETs of each style's bytes per domain. Then the delay from an
 * appended event to its d1: key (p50/p99), through the upload API on a fresh stack with the prime
 * runner. Redis database 15 is flushed. Env: BENCH_PRIME_DOMAINS (100000), BENCH_PRIME_NAMES (10),
 * BENCH_PRIME_TARGETS (postgres; add pglite), BENCH_PRIME_ROUNDS (2, best kept), BENCH_QUICK=1.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { checkResults, definePrimeCommands, queueDomain, queueDomains, type PrimeOptions } from '../src/infra/redis/prime-commands.js';
import type { PrimeCertificate, PrimeStyle } from '../src/infra/redis/prime-writer.js';
import { fullPrime } from '../src/projections/redis-prime/full-prime.js';
import { servedCertificates } from '../src/projections/redis-prime/served.js';
import { form, startTestStack, type TestStack } from '../test/support/app.js';
import { createCa, issueLeaf, type TestCa } from '../test/support/pki.js';
import type { Database } from '../src/infra/db/schema.js';
import { corpusDomain, cpuMsOf, specFor, type CorpusKind } from './corpus.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';
import { openCorpus, sharedCorpus, type OpenCorpus } from './support-h2/corpus.js';
import { rawConnection, recordingChain, type RawCommand } from './support-h2/raw-resp.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DOMAINS = Number(process.env.BENCH_PRIME_DOMAINS ?? (QUICK ? 2_000 : 100_000));
const NAMES = Number(process.env.BENCH_PRIME_NAMES ?? 10);
const TARGETS = (process.env.BENCH_PRIME_TARGETS ?? 'postgres').split(',').map((t) => t.trim()) as CorpusKind[];
const ROUNDS = Number(process.env.BENCH_PRIME_ROUNDS ?? (QUICK ? 1 : 2));
const DELAY_SAMPLES = QUICK ? 10 : 100;
const DB = 15;
const PAGE = 2_000;
const GOAL = 50_000;
const PREFIX = '/.well-known/peter_sslers';
const STYLES: PrimeStyle[][] = [[1, 2], [1], [2]];

const log = (line: string) => process.stderr.write(`${line}\n`);
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
const optionsOf = (styles: PrimeStyle[]): PrimeOptions => ({ styles, ttlSeconds: {} });
const rate = (count: number, ms: number) => (count / ms) * 1000;

type Round = { rate: number; cpu: Cpu };

async function bestOf(rounds: number, run: () => Promise<Round>): Promise<Round[]> {
  const done: Round[] = [];
  for (let r = 0; r < rounds; r += 1) done.push(await run());
  return done.sort((a, b) => b.rate - a.rate);
}

/** CPU ms so far of this process, the Redis server and the PostgreSQL backends of the corpus database. */
type Cpu = { client: number; redis: number; postgres: number };

async function cpuNow(redis: Redis, db: Kysely<Database>, before?: Map<number, number>): Promise<Cpu & { backends: Map<number, number> }> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN) * 1000;
  const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const backends = new Map<number, number>();
  // A backend opened during the run counts whole; one that ended during it is lost (the pool keeps them for 10 s).
  for (const { pid } of rows) backends.set(pid, await cpuMsOf(pid).catch(() => 0));
  let postgres = 0;
  for (const [pid, ms] of backends) postgres += ms - (before?.get(pid) ?? 0);
  const usage = process.cpuUsage();
  return { client: (usage.user + usage.system) / 1000, redis: field('used_cpu_sys') + field('used_cpu_user'), postgres, backends };
}

async function cpuOf<T>(redis: Redis, db: Kysely<Database>, run: () => Promise<T>): Promise<[T, Cpu]> {
  const start = await cpuNow(redis, db);
  const result = await run();
  const end = await cpuNow(redis, db, start.backends);
  return [result, { client: end.client - start.client, redis: end.redis - start.redis, postgres: end.postgres }];
}

/** Synthetic domains of NAMES each on one certificate object per group, as the prime reads them. */
function syntheticPage(sample: PrimeCertificate, at: number): [string, PrimeCertificate][] {
  const page: [string, PrimeCertificate][] = [];
  let cert = sample;
  for (let i = at; i < Math.min(DOMAINS, at + PAGE); i += 1) {
    const group = Math.floor(i / NAMES);
    if (i === at || i % NAMES === 0) cert = { ...sample, certificateId: `c${group}`, privateKeyId: `k${group}` };
    page.push([`b${i}.bench.test`, cert]);
  }
  return page;
}

/** The prime's own commands (queueDomains) for DOMAINS synthetic domains, from memory: the write-side limit. */
async function pipelinedBaseline(redis: Redis, sample: PrimeCertificate, styles: PrimeStyle[]) {
  await redis.flushdb();
  const t0 = performance.now();
  const written = new Set<string>();
  for (let at = 0; at < DOMAINS; at += PAGE) {
    const pipeline = definePrimeCommands(redis).pipeline();
    queueDomains(pipeline, syntheticPage(sample, at), optionsOf(styles), written);
    checkResults(await pipeline.exec(), 'baseline pipeline');
  }
  return rate(DOMAINS, performance.now() - t0);
}

/** queueDomain's commands (DEL+HSET per domain, SET per shared string) from memory: what the prime sent before its script. */
async function perDomainBaseline(redis: Redis, sample: PrimeCertificate, styles: PrimeStyle[]) {
  await redis.flushdb();
  const t0 = performance.now();
  for (let at = 0; at < DOMAINS; at += PAGE) {
    const pipeline = redis.pipeline();
    const written = new Set<string>();
    for (const [name, cert] of syntheticPage(sample, at)) queueDomain(pipeline, name, cert, optionsOf(styles), written);
    checkResults(await pipeline.exec(), 'per-domain pipeline');
  }
  return rate(DOMAINS, performance.now() - t0);
}

/** queueDomain's commands for DOMAINS synthetic domains, as raw RESP on one socket: no client library. */
async function rawBaseline(redis: Redis, sample: PrimeCertificate, styles: PrimeStyle[]) {
  await redis.flushdb();
  const raw = await rawConnection(DB);
  try {
    const t0 = performance.now();
    for (let at = 0; at < DOMAINS; at += PAGE) {
      const commands: RawCommand[] = [];
      const chain = recordingChain(commands);
      const written = new Set<string>();
      for (const [name, cert] of syntheticPage(sample, at)) queueDomain(chain, name, cert, optionsOf(styles), written);
      await raw.exec(commands);
    }
    return rate(DOMAINS, performance.now() - t0);
  } finally {
    raw.close();
  }
}

/**
 * The same writes without the DEL before each HSET (d1/d2 always carry the same fields, so an
 * HSET alone replaces them): what dropping those commands would give.
 */
async function pipelinedWithoutDel(redis: Redis, sample: PrimeCertificate, styles: PrimeStyle[]) {
  await redis.flushdb();
  const t0 = performance.now();
  for (let at = 0; at < DOMAINS; at += PAGE) {
    const pipeline = redis.pipeline();
    let lastGroup = -1;
    for (let i = at; i < Math.min(DOMAINS, at + PAGE); i += 1) {
      const group = Math.floor(i / NAMES);
      if (styles.includes(1)) {
        if (group !== lastGroup) pipeline.set(`c:c${group}`, sample.certificatePem).set(`p:k${group}`, sample.privateKeyPem).set(`i:${sample.chainId}`, sample.chainPem);
        pipeline.hset(`d1:b${i}.bench.test`, { c: `c${group}`, p: `k${group}`, i: sample.chainId });
      }
      if (styles.includes(2)) pipeline.hset(`d2:b${i}.bench.test`, { p: sample.privateKeyPem, f: sample.fullchainPem });
      lastGroup = group;
    }
    checkResults(await pipeline.exec(), 'baseline pipeline without DEL');
  }
  return rate(DOMAINS, performance.now() - t0);
}

/** `redis-benchmark` SETs of `bytes` each on `clients` connections, pipelined like a prime page. */
function redisBenchmark(bytes: number, clients = 1): Promise<number> {
  const args = ['-h', '127.0.0.1', '-p', '6379', '--dbnum', String(DB), '-t', 'set', '-n', String(DOMAINS), '-r', String(DOMAINS),
    '-d', String(Math.max(1, Math.round(bytes))), '-c', String(clients), '-P', '1000', '--csv'];
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('"SET"'));
      const rps = line ? Number(JSON.parse(`[${line}]`)[1]) : NaN;
      if (code !== 0 || !Number.isFinite(rps)) reject(new Error(`redis-benchmark exited ${code}: ${out.slice(-500)}`));
      else resolve(rps);
    });
  });
}

async function primeRows(kind: CorpusKind, redis: Redis): Promise<BenchRow[]> {
  const corpus = await sharedCorpus(kind, specFor(DOMAINS, NAMES), log);
  const open: OpenCorpus = await openCorpus(corpus);
  try {
    const deps = { db: open.handle.db, vault: open.vault, redis };
    const sample = (await servedCertificates(deps, [corpusDomain(corpus.spec, 0)])).get(corpusDomain(corpus.spec, 0));
    if (!sample) throw new Error(`the ${kind} corpus serves nothing for ${corpusDomain(corpus.spec, 0)}`);
    // Bytes a domain costs in each style: d1 is three ids, c:/p:/i: shared by NAMES domains; d2 carries key + fullchain.
    const d1Bytes = sample.certificateId.length + sample.privateKeyId.length + sample.chainId.length
      + (sample.certificatePem.length + sample.privateKeyPem.length + sample.chainPem.length) / NAMES;
    const d2Bytes = sample.privateKeyPem.length + sample.fullchainPem.length;
    const rows: BenchRow[] = [];
    for (const styles of STYLES) {
      const rounds = await bestOf(ROUNDS, async () => {
        await redis.flushdb();
        const [result, cpu] = await cpuOf(redis, open.handle.db, () => fullPrime({ ...deps, options: optionsOf(styles) }));
        if (result.domains !== corpus.domains) throw new Error(`full prime wrote ${result.domains} of ${corpus.domains} domains`);
        return { rate: rate(result.domains, result.elapsedMs), cpu };
      });
      const rates = rounds.map((r) => r.rate);
      const { cpu } = rounds[0]!;
      const perThousand = (ms: number) => Math.round((ms / corpus.domains) * 1000 * 10) / 10;
      const baseline = await pipelinedBaseline(redis, sample, styles);
      const perDomain = await perDomainBaseline(redis, sample, styles);
      const withoutDel = await pipelinedWithoutDel(redis, sample, styles);
      const raw = await rawBaseline(redis, sample, styles);
      const bytes = (styles.includes(1) ? d1Bytes : 0) + (styles.includes(2) ? d2Bytes : 0);
      const both = styles.length === 2;
      rows.push({
        measure: `full prime, style ${styles.join('+')}, ${corpus.domains.toLocaleString('en-US')} domains (${NAMES} per certificate)`,
        target: kind,
        value: rates[0]!,
        unit: 'domains/s',
        details: { ...(rates.length > 1 ? { 'other rounds': rates.slice(1).map((r) => Math.round(r)).join(' ') } : {}), 'bytes/domain': Math.round(bytes),
          'CPU ms per 1,000 domains: client': perThousand(cpu.client), 'Redis': perThousand(cpu.redis), 'PostgreSQL': perThousand(cpu.postgres), 'load average': loadavg()[0]!.toFixed(1),
          'per-domain commands (queueDomain) from memory': Math.round(perDomain), 'per-domain without DEL': Math.round(withoutDel), 'per-domain as raw RESP': Math.round(raw) },
        reference: { name: 'the prime\'s commands (queueDomains) pipelined from memory', value: baseline, unit: 'domains/s' },
        ratio: rates[0]! / baseline,
        ...(both ? { goal: `≥ ${GOAL.toLocaleString('en-US')} domains/s`, met: rates[0]! >= GOAL } : {}),
      });
    }
    await redis.flushdb();
    const sizes = [['style 1 (d1 + shared c:/p:/i:)', d1Bytes, 1], ['style 2 (d2)', d2Bytes, 1], ['style 1+2', d1Bytes + d2Bytes, 1], ['style 1+2', d1Bytes + d2Bytes, 4]] as const;
    for (const [label, bytes, clients] of sizes) {
      rows.push({
        measure: `redis-benchmark SET -d ${Math.round(bytes)} (${label} bytes), -c ${clients} -P 1000, ${DOMAINS.toLocaleString('en-US')} keys`,
        target: 'redis',
        value: await redisBenchmark(bytes, clients),
        unit: 'SET/s',
      });
    }
    await redis.flushdb();
    return rows;
  } finally {
    await open.close();
  }
}

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

/** Append → d1: key, from the append's notification in this process to the key readable in Redis. */
async function delayRow(kind: CorpusKind): Promise<BenchRow> {
  const stack = await startTestStack(kind, { redis: true, redisDb: DB, prime: {} });
  const probe = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
  try {
    const issuer = await createCa({ issuer: await createCa() });
    const delays: number[] = [];
    for (let i = 0; i < DELAY_SAMPLES + 5; i += 1) {
      // The upload appends key, CA and chain streams first and the certificate last: the clock starts at the last append.
      let appendedAt = 0;
      const stop = stack.deps.store.onAppended(() => {
        appendedAt = performance.now();
      });
      const name = `delay-${i}-${Date.now().toString(36)}.prime.bench`;
      const { certificate } = await upload(stack, issuer, [name]);
      stop();
      await until(async () => (await probe.hget(`d1:${name}`, 'c')) === certificate.id, 10_000);
      if (i >= 5) delays.push(performance.now() - appendedAt); // the first few warm up
    }
    return {
      measure: `append → d1: key in Redis (${DELAY_SAMPLES} single-name uploads, prime runner live)`,
      target: kind,
      value: quantile(delays, 0.5),
      unit: 'ms p50',
      details: { p99: quantile(delays, 0.99), max: Math.max(...delays) },
    };
  } finally {
    probe.disconnect();
    await stack.redis?.flushdb();
    await stack.close();
  }
}

export async function runRedis(): Promise<BenchSection> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
  try {
    const rows: BenchRow[] = [];
    for (const kind of TARGETS) rows.push(...await primeRows(kind, redis));
    for (const kind of TARGETS) rows.push(await delayRow(kind));
    return {
      part: 2,
      title: 'Redis prime',
      rows,
      notes: [
        `Full prime: best of ${ROUNDS} rounds, each from an empty Redis database ${DB}; pages of ${PAGE.toLocaleString('en-US')} domains (per page: the domains, their certificates by id, then their chains and the vault batch; one pipeline, two in flight while the next page is read).`,
        'Reference: the prime\'s own commands (queueDomains: one script call per ~100 domains, each certificate\'s PEMs sent once) for the same count and sizes from memory through ioredis (no DB, no decrypt) — the ratio is the prime\'s share of that limit. Details: CPU of the best round (this process, the Redis server from INFO cpu, the PostgreSQL backends of the corpus database from /proc), and the per-domain commands the script replaced (queueDomain: DEL+HSET per hash), also without the DEL and as raw RESP on one socket.',
        'The delay is measured on a fresh database with the prime runner woken by the store\'s append notification: from the notification of the upload\'s last append (its certificate) to the key read back by a second connection (1 ms polls).',
      ],
    };
  } finally {
    await redis.flushdb();
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runRedis);
