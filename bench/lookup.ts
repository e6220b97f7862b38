/**
 * Part 1, npm run bench:lookup — GET {prefix}/domain/{name}/config.json, the request nginx makes
 * for every TLS handshake it has not cached, against the service (src/main.ts in its own process)
 * with 10,000 and 100,000 domains on PGlite and PostgreSQL. The reference is a bare node:http
 * server, also in its own process, answering a constant body of the same size: the node limit on
 * this machine. Load comes from wrk (a separate process) rotating over the domain names.
 *
 * Env: BENCH_LOOKUP_DOMAINS (10000,100000), BENCH_TARGETS (pglite,postgres), BENCH_NAMES_PER_CERT
 * (10), BENCH_LOOKUP_SECONDS (10), BENCH_LOOKUP_CONNECTIONS (16), BENCH_QUICK=1 (2,000 domains, 3 s).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { load } from './load.js';
import { corpusDomain, cpuMsOf, ensureCorpus, freePort, specFor, startService, type Corpus, type CorpusKind } from './corpus.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = (process.env.BENCH_LOOKUP_DOMAINS ?? (QUICK ? '2000' : '10000,100000')).split(',').map(Number);
const KINDS = (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',') as CorpusKind[];
const NAMES = Number(process.env.BENCH_NAMES_PER_CERT ?? 10);
const SECONDS = Number(process.env.BENCH_LOOKUP_SECONDS ?? (QUICK ? 3 : 10));
const CONNECTIONS = Number(process.env.BENCH_LOOKUP_CONNECTIONS ?? 16);
const PREFIX = '/.well-known/peter_sslers';

export type LoadFigures = { rps: number; p50Ms: number; p99Ms: number; requests: number; errors: number; tool: string };

// wrk runs one Lua state per thread; each walks the names from its own offset. Names are
// certificate-major as in bench/corpus.ts: h<i>-<j>.bench.test.
const lua = (domains: number, names: number, prefix: string) => `
local domains, names, prefix = ${domains}, ${names}, "${prefix}"
local counter = 0
function setup(thread) counter = counter + 1; thread:set("offset", counter * 7919) end
local i = 0
function init(args) i = (offset or 0) % domains end
function request()
  i = (i + 1) % domains
  local path = prefix ~= "" and string.format("%s/domain/h%d-%d.bench.test/config.json", prefix, math.floor(i / names), i % names) or "/"
  return wrk.format("GET", path)
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"micros\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"errors\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors))
end
`;

const hasWrk = async () => new Promise<boolean>((resolve) => {
  const child = spawn('wrk', ['--version'], { stdio: 'ignore' });
  child.once('error', () => resolve(false));
  child.once('exit', () => resolve(true));
});

/** Closed-loop load for `seconds` with `CONNECTIONS` connections, wrk in its own process (bench/load.ts in this one when wrk is absent). */
export async function measure(origin: string, domains: number, names: number, prefix: string, seconds: number): Promise<LoadFigures> {
  if (!(await hasWrk())) {
    const paths = Array.from({ length: Math.min(domains, 50_000) }, (_, i) => prefix ? `${prefix}/domain/${corpusDomain({ certificates: 0, namesPerCertificate: names }, i)}/config.json` : '/');
    const r = await load(origin, paths, { requests: Math.round(seconds * 2_000), concurrency: CONNECTIONS });
    return { rps: r.rps, p50Ms: r.p50, p99Ms: r.p99, requests: r.requests, errors: r.errors, tool: 'bench/load.ts (in process)' };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'certledger-wrk-'));
  try {
    const script = path.join(dir, 'rotate.lua');
    await writeFile(script, lua(domains, names, prefix));
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, origin], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
    });
    const line = /WRKJSON (\{.*\})/.exec(out);
    if (!line) throw new Error(`no figures from wrk: ${out}`);
    const r = JSON.parse(line[1]!) as { requests: number; micros: number; p50: number; p99: number; errors: number };
    return { rps: r.requests / (r.micros / 1e6), p50Ms: r.p50 / 1000, p99Ms: r.p99 / 1000, requests: r.requests, errors: r.errors, tool: 'wrk -t1' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A bare node:http server in its own process, answering `bytes` constant bytes of JSON. */
export async function startBareServer(bytes: number): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const code = `
    const body = Buffer.alloc(${bytes}, 0x20); body[0] = 0x7b; body[${bytes - 1}] = 0x7d;
    require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    }).listen(${port}, '127.0.0.1', () => process.send('ready'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (c) => reject(new Error(`bare server exited ${c}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** Body size of one answer, so the bare server sends as many bytes. */
async function bodyBytes(url: string, domain: string): Promise<number> {
  const res = await fetch(`${url}${PREFIX}/domain/${domain}/config.json`);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`config.json for ${domain}: ${res.status} ${body.toString().slice(0, 200)}`);
  return body.length;
}

/**
 * Until the rate settles: the served index loads in the background after readiness, and each
 * certificate's PEMs are read once on its first lookup. Each round asks for every certificate
 * once (its first name), then measures 3 s; done when a round gains under 10 % (at most 8).
 */
async function warm(url: string, corpus: Corpus): Promise<{ rounds: number; seconds: number }> {
  const started = performance.now();
  const names = corpus.spec.namesPerCertificate;
  const firsts = Array.from({ length: Math.ceil(corpus.domains / names) }, (_, c) => `${PREFIX}/domain/${corpusDomain(corpus.spec, c * names)}/config.json`);
  let previous = 0;
  let rounds = 0;
  while (rounds < 8) {
    rounds += 1;
    await load(url, firsts, { requests: firsts.length, concurrency: CONNECTIONS });
    const { rps } = await measure(url, corpus.domains, names, PREFIX, Math.min(3, SECONDS));
    if (rps < previous * 1.1) break;
    previous = rps;
  }
  return { rounds, seconds: (performance.now() - started) / 1000 };
}

export async function lookupRows(corpus: Corpus): Promise<BenchRow[]> {
  const service = await startService(corpus);
  let ours: LoadFigures;
  let bytes: number;
  let ourCpuUs: number;
  let bareCpuUs: number;
  let warmUp: { rounds: number; seconds: number };
  let rssMb: number;
  try {
    bytes = await bodyBytes(service.url, corpusDomain(corpus.spec, 0));
    warmUp = await warm(service.url, corpus);
    const cpu0 = await service.cpuMs();
    ours = await measure(service.url, corpus.domains, corpus.spec.namesPerCertificate, PREFIX, SECONDS);
    ourCpuUs = ((await service.cpuMs()) - cpu0) * 1000 / ours.requests;
    rssMb = (await service.rss()) / 1024 / 1024;
  } finally {
    await service.stop();
  }
  const bare = await startBareServer(bytes);
  let limit: LoadFigures;
  try {
    await measure(bare.url, 1, 1, '', Math.min(3, SECONDS));
    const cpu0 = await cpuMsOf(bare.pid);
    limit = await measure(bare.url, 1, 1, '', SECONDS);
    bareCpuUs = ((await cpuMsOf(bare.pid)) - cpu0) * 1000 / limit.requests;
  } finally {
    await bare.stop();
  }
  const ratio = ours.rps / limit.rps;
  const met = ratio >= 0.5 && ours.p99Ms <= 5;
  return [{
    measure: `config.json lookup, ${corpus.domains.toLocaleString('en-US')} domains`,
    target: corpus.kind,
    value: ours.rps,
    unit: 'req/s',
    details: {
      p50_ms: ours.p50Ms, p99_ms: ours.p99Ms, errors: ours.errors, body_bytes: bytes, cpu_us_per_req: ourCpuUs, rss_mb: rssMb,
      warm_up_rounds: warmUp.rounds, warm_up_s: warmUp.seconds,
      bare_p99_ms: limit.p99Ms, bare_cpu_us_per_req: bareCpuUs, cpu_ratio: bareCpuUs / ourCpuUs, load: ours.tool,
    },
    reference: { name: 'bare node:http, same body', value: limit.rps, unit: 'req/s' },
    ratio,
    goal: '≥ 0.5 of bare, p99 ≤ 5 ms',
    met,
  }];
}

export async function runLookup(): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    for (const domains of SIZES) {
      const corpus = await ensureCorpus(kind, specFor(domains, NAMES));
      rows.push(...(await lookupRows(corpus)));
    }
  }
  return {
    part: 1,
    title: 'nginx lookup: GET config.json',
    rows,
    notes: [
      `${CONNECTIONS} keep-alive connections, ${SECONDS} s per measure after a warm-up, names rotated over every domain; service and bare server each in their own process; ${NAMES} names per certificate.`,
      'cpu_us_per_req: CPU time (user + system) of the server process per answered request; cpu_ratio = bare / ours, the throughput ratio to expect on an idle machine where the server has a core to itself.',
      'Warm-up (warm_up_rounds, warm_up_s): every certificate asked once then 3 s of load, repeated until a round gains under 10 %; rss_mb: the service after the measure.',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runLookup);
