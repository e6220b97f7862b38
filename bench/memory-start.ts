/**
 * Part 6, npm run bench:memory — the service (dist/main.js in its own process, every role, as
 * `npm start` runs it) on the 100,000-domain corpus: time from spawn to the first /readyz 200,
 * resident memory once ready and after a config.json lookup load over every domain. PGlite and
 * PostgreSQL.
 *
 * Env: BENCH_MEMORY_DOMAINS (100000), BENCH_NAMES_PER_CERT (10), BENCH_TARGETS (pglite,postgres),
 * BENCH_MEMORY_STARTS (3: start-up is the median of these), BENCH_MEMORY_LOAD_SECONDS (10),
 * BENCH_QUICK=1 (2,000 domains, 1 start, 3 s of load).
 */
import { pathToFileURL } from 'node:url';
import { ensureCorpus, specFor, startService, type Corpus, type CorpusKind } from './corpus.js';
import { measure } from './lookup.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DOMAINS = Number(process.env.BENCH_MEMORY_DOMAINS ?? (QUICK ? 2_000 : 100_000));
const NAMES = Number(process.env.BENCH_NAMES_PER_CERT ?? 10);
const KINDS = (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',') as CorpusKind[];
const STARTS = Number(process.env.BENCH_MEMORY_STARTS ?? (QUICK ? 1 : 3));
const LOAD_SECONDS = Number(process.env.BENCH_MEMORY_LOAD_SECONDS ?? (QUICK ? 3 : 10));
const PREFIX = '/.well-known/peter_sslers';
const MB = 1024 * 1024;
const RSS_GOAL_MB = 300;
const READY_GOAL_S = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function rowsFor(corpus: Corpus): Promise<BenchRow[]> {
  const readyMs: number[] = [];
  // CPU the process used to get ready: what a loaded machine does not inflate.
  const readyCpuMs: number[] = [];
  // Start-ups before the measured one: each a full start and stop on the same data.
  for (let i = 1; i < STARTS; i++) {
    const service = await startService(corpus);
    readyMs.push(service.readyMs);
    readyCpuMs.push(await service.cpuMs());
    await service.stop();
  }
  const service = await startService(corpus);
  let idleRss: number;
  let loadedRss: number;
  let peakRss: number;
  try {
    readyMs.push(service.readyMs);
    readyCpuMs.push(await service.cpuMs());
    await new Promise((r) => setTimeout(r, 1_000));
    idleRss = await service.rss();
    peakRss = idleRss;
    const sampler = setInterval(() => {
      void service.rss().then((rss) => {
        peakRss = Math.max(peakRss, rss);
      }, () => undefined);
    }, 250);
    try {
      await measure(service.url, corpus.domains, corpus.spec.namesPerCertificate, PREFIX, LOAD_SECONDS);
    } finally {
      clearInterval(sampler);
    }
    loadedRss = await service.rss();
  } finally {
    await service.stop();
  }
  const domains = `${corpus.domains.toLocaleString('en-US')} domains`;
  const ready = median(readyMs) / 1000;
  return [
    {
      measure: `start to ready (/readyz 200), ${domains}`,
      target: corpus.kind,
      value: ready,
      unit: 's',
      details: { starts: readyMs.length, min_s: Math.min(...readyMs) / 1000, max_s: Math.max(...readyMs) / 1000, cpu_s: median(readyCpuMs) / 1000 },
      goal: `≤ ${READY_GOAL_S} s`,
      met: ready <= READY_GOAL_S,
    },
    {
      measure: `RSS after a lookup load, ${domains}`,
      target: corpus.kind,
      value: loadedRss / MB,
      unit: 'MB',
      details: { ready_mb: idleRss / MB, peak_mb: peakRss / MB, load_s: LOAD_SECONDS },
      goal: `≤ ${RSS_GOAL_MB} MB`,
      met: peakRss / MB <= RSS_GOAL_MB,
    },
  ];
}

export async function runMemoryStart(): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  for (const kind of KINDS) rows.push(...(await rowsFor(await ensureCorpus(kind, specFor(DOMAINS, NAMES)))));
  return {
    part: 6,
    title: 'Memory and start',
    rows,
    notes: [
      `dist/main.js (what npm start runs: the sources compiled by scripts/build.mjs), in one process so its RSS is the service's; every role; RSS from /proc/<pid>/status, peak sampled every 250 ms during ${LOAD_SECONDS} s of config.json lookups over every domain; ${NAMES} names per certificate.`,
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runMemoryStart);
