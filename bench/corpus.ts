/**
 * The benchmark corpus: one CA (root + intermediate, EC P-256), many EC P-256 leaf certificates
 * of K names each (`h<i>-<j>.bench.test`), imported as events through the real command path
 * (parseCertificateBundle → importCertificate), then the projections caught up once.
 *
 * Leaves are written as DER by hand and signed with node:crypto: @peculiar/x509 took ~11 ms per
 * certificate here, this takes ~0.3 ms, so generation never bounds the import and needs no
 * worker threads. Corpora are kept between runs: a PGlite data folder under bench/.cache/ and a
 * PostgreSQL database certledger_bench_corpus_<n>_<k>, each reused only when marked complete.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import pg from 'pg';
import { importCertificate } from '../src/commands/certificate/import-certificate.js';
import { openDatabase, type DatabaseHandle } from '../src/infra/db/kysely.js';
import { migrateToLatest } from '../src/infra/db/migrate.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgres.js';
import { loadMasterKey } from '../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../src/infra/key-vault/vault.js';
import { silentLogger } from '../src/infra/logger.js';
import { parseCertificateBundle } from '../src/infra/x509/bundle.js';
import { toPem } from '../src/infra/x509/pem.js';
import { catalogProjections, createProjectionSet } from '../src/projections/index.js';
import { createCa, type TestCa } from '../test/support/pki.js';

export type CorpusKind = 'pglite' | 'postgres';
export type CorpusSpec = { certificates: number; namesPerCertificate: number };

/** A fixed key for bench data only (it protects nothing real); the service is started with it. */
export const BENCH_MASTER_KEY = 'b'.repeat(64);

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');

export type CorpusFigures = {
  certificates: number;
  generatedPerSecond: number;
  importedPerSecond: number;
  events: number;
  projectionEventsPerSecond: number;
  seconds: number;
};

export type Corpus = {
  kind: CorpusKind;
  spec: CorpusSpec;
  domains: number;
  /** Environment for the service (dist/main.js) serving this corpus (add listen addresses). */
  env: Record<string, string>;
  /** PGlite: the data folder (CERTLEDGER_DATA_DIR). PostgreSQL: the database URL. */
  location: string;
  /** Set when this run built the corpus; undefined when a complete cached one was reused. */
  figures?: CorpusFigures;
};

export const domainName = (certificate: number, name: number): string => `h${certificate}-${name}.bench.test`;

/** The i-th domain of a corpus, certificate-major. */
export const corpusDomain = (spec: CorpusSpec, index: number): string =>
  domainName(Math.floor(index / spec.namesPerCertificate), index % spec.namesPerCertificate);

// --- DER, just enough for a leaf certificate (X.690) ---

const length = (n: number): Buffer =>
  n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const octets = (b: Buffer) => tlv(0x04, b);
const utcTime = (d: Date) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));

const ECDSA_SHA256 = seq(hex('06082a8648ce3d040302'));
const CRITICAL = hex('0101ff');
const BASIC_CONSTRAINTS_LEAF = seq(hex('0603551d13'), CRITICAL, octets(seq()));
const KEY_USAGE_DIGITAL_SIGNATURE = seq(hex('0603551d0f'), CRITICAL, octets(hex('03020780')));
const EKU_SERVER_AUTH = seq(hex('0603551d25'), octets(seq(hex('06082b06010505070301'))));

type Issuer = { subjectDer: Buffer; keyId: Buffer; key: KeyObject; chainPem: string };

export type GeneratedLeaf = { certificate: Buffer; privateKey: Buffer };

const DAY = 86_400_000;

/** An EC P-256 leaf for `names`, signed by `issuer`; PEM certificate and PKCS#8 PEM key. */
export function generateLeaf(issuer: Issuer, names: string[], now = Date.now()): GeneratedLeaf {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the 65-byte point at the end).
  const keyId = createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const tbs = seq(
    tlv(0xa0, hex('020102')),
    tlv(0x02, serial),
    ECDSA_SHA256,
    issuer.subjectDer,
    seq(utcTime(new Date(now - DAY)), utcTime(new Date(now + 90 * DAY))),
    seq(tlv(0x31, seq(hex('0603550403'), tlv(0x0c, Buffer.from(names[0]!, 'utf8'))))),
    spki,
    tlv(0xa3, seq(
      BASIC_CONSTRAINTS_LEAF,
      KEY_USAGE_DIGITAL_SIGNATURE,
      EKU_SERVER_AUTH,
      seq(hex('0603551d11'), octets(seq(...names.map((n) => tlv(0x82, Buffer.from(n, 'ascii')))))),
      seq(hex('0603551d0e'), octets(octets(keyId))),
      seq(hex('0603551d23'), octets(seq(tlv(0x80, issuer.keyId)))),
    )),
  );
  const certificate = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), sign('sha256', tbs, issuer.key)));
  return {
    certificate: Buffer.from(toPem('CERTIFICATE', certificate)),
    privateKey: Buffer.from(toPem('PRIVATE KEY', privateKey.export({ type: 'pkcs8', format: 'der' }))),
  };
}

/** Root + intermediate via the test PKI; the intermediate signs the leaves. */
export async function createBenchIssuer(): Promise<Issuer & { ca: TestCa }> {
  const ca = await createCa({ name: 'certledger bench intermediate', issuer: await createCa({ name: 'certledger bench root' }) });
  const ski = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new Error('bench CA has no subjectKeyIdentifier');
  return {
    ca,
    subjectDer: Buffer.from(ca.cert.subjectName.toArrayBuffer()),
    keyId: Buffer.from(ski.keyId, 'hex'),
    key: createPrivateKey(ca.keyPem),
    chainPem: ca.certPem,
  };
}

// --- import through the command path ---

const FIELDS = { certificate: 'certificate', privateKey: 'private_key', chain: 'chain' };

export type ImportFigures = { generateMs: number; importMs: number };

/** Generates and imports certificates [from, to) with `concurrency` in flight; no projection waiting. */
export async function importRange(
  handle: DatabaseHandle,
  issuer: Issuer,
  spec: CorpusSpec,
  range: { from: number; to: number },
  concurrency: number,
): Promise<ImportFigures> {
  const store = createPostgresEventStore(handle);
  const vault = createKeyVault(handle.db, await loadMasterKey({ configured: BENCH_MASTER_KEY }));
  const deps = { store, vault, now: () => new Date() };
  const chain = Buffer.from(issuer.chainPem);
  let generateMs = 0;
  const one = async (i: number) => {
    const g0 = performance.now();
    const leaf = generateLeaf(issuer, Array.from({ length: spec.namesPerCertificate }, (_, j) => domainName(i, j)));
    generateMs += performance.now() - g0;
    const bundle = await parseCertificateBundle({ certificate: leaf.certificate, privateKey: leaf.privateKey, chain }, FIELDS, deps.now());
    await importCertificate(deps, { ...bundle, chains: [bundle.chain] }, { actor: 'bench' });
  };
  const t0 = performance.now();
  try {
    let next = range.from;
    // The first one alone: it creates the CA streams every other import then finds.
    if (next < range.to) await one(next++);
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < range.to) await one(next++);
    }));
  } finally {
    await store.close();
  }
  return { generateMs, importMs: performance.now() - t0 };
}

/** Runs every catalog projection to the head once; returns events and ms. */
export async function catchUpProjections(handle: DatabaseHandle): Promise<{ events: number; ms: number }> {
  const store = createPostgresEventStore(handle);
  const projections = createProjectionSet({ store, db: handle.db, projections: catalogProjections, logger: silentLogger, settings: { batchSize: 2_000 } });
  const head = await store.headPosition();
  const t0 = performance.now();
  projections.start();
  try {
    await projections.waitFor(head, { timeoutMs: 3_600_000 });
  } finally {
    await projections.stop();
    await store.close();
  }
  return { events: Number(head), ms: performance.now() - t0 };
}

// --- cached corpora ---

const tag = (spec: CorpusSpec) => `${spec.certificates}_${spec.namesPerCertificate}`;
const COMPLETE = (spec: CorpusSpec) => `certledger bench corpus complete ${tag(spec)}`;

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const databaseUrl = (name: string) => {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function build(handle: DatabaseHandle, spec: CorpusSpec, concurrency: number, log: (line: string) => void): Promise<CorpusFigures> {
  await migrateToLatest(handle.db);
  const issuer = await createBenchIssuer();
  log(`generating and importing ${spec.certificates} certificates × ${spec.namesPerCertificate} names (${handle.kind}, ${concurrency} in flight)…`);
  const t0 = performance.now();
  const imported = await importRange(handle, issuer, spec, { from: 0, to: spec.certificates }, concurrency);
  const caughtUp = await catchUpProjections(handle);
  const figures: CorpusFigures = {
    certificates: spec.certificates,
    generatedPerSecond: spec.certificates / (imported.generateMs / 1000),
    importedPerSecond: spec.certificates / (imported.importMs / 1000),
    events: caughtUp.events,
    projectionEventsPerSecond: caughtUp.events / (caughtUp.ms / 1000),
    seconds: (performance.now() - t0) / 1000,
  };
  log(`corpus built in ${figures.seconds.toFixed(1)} s: generated ${figures.generatedPerSecond.toFixed(0)}/s, imported ${figures.importedPerSecond.toFixed(0)}/s, projections ${figures.projectionEventsPerSecond.toFixed(0)} events/s (${figures.events} events)`);
  return figures;
}

const serviceEnv = (kind: CorpusKind, location: string): Record<string, string> => ({
  CERTLEDGER_MASTER_KEY: BENCH_MASTER_KEY,
  ...(kind === 'pglite' ? { CERTLEDGER_DATA_DIR: location } : { DATABASE_URL: location }),
});

/**
 * The corpus of `spec` on `kind`, built now unless a complete one is cached. PGlite is built in a
 * temporary folder renamed into place when done; PostgreSQL is marked complete by a comment on
 * its database, so an interrupted build is dropped and redone.
 */
export async function ensureCorpus(
  kind: CorpusKind,
  spec: CorpusSpec,
  options: { concurrency?: number; rebuild?: boolean; log?: (line: string) => void } = {},
): Promise<Corpus> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const concurrency = options.concurrency ?? (kind === 'postgres' ? 8 : 4);
  const base = { kind, spec, domains: spec.certificates * spec.namesPerCertificate };
  if (kind === 'pglite') {
    const dir = path.join(CACHE_DIR, `corpus_${tag(spec)}`);
    if (!options.rebuild && existsSync(path.join(dir, 'complete'))) return { ...base, location: dir, env: serviceEnv(kind, dir) };
    const building = `${dir}.building-${process.pid}`;
    await rm(building, { recursive: true, force: true });
    await mkdir(building, { recursive: true, mode: 0o700 });
    // The service opens <data dir>/pglite (src/infra/container.ts).
    const handle = await openDatabase({ kind: 'pglite', dataDir: path.join(building, 'pglite') });
    let figures: CorpusFigures;
    try {
      figures = await build(handle, spec, concurrency, log);
    } finally {
      await handle.close();
    }
    await writeFile(path.join(building, 'complete'), `${JSON.stringify(figures)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
    return { ...base, location: dir, env: serviceEnv(kind, dir), figures };
  }
  const name = `certledger_bench_corpus_${tag(spec)}`;
  const url = databaseUrl(name);
  const complete = await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ comment: string | null }>(
      'SELECT shobj_description(oid, \'pg_database\') AS comment FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0 && rows[0]!.comment === COMPLETE(spec) && !options.rebuild) return true;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    // Bench data only: a commit need not wait for its WAL flush (every append commits on its own).
    if (process.env.BENCH_CORPUS_SYNC !== '1') await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
    return false;
  });
  if (complete) return { ...base, location: url, env: serviceEnv(kind, url) };
  const handle = await openDatabase({ kind: 'postgres', url, poolSize: concurrency + 2 });
  let figures: CorpusFigures;
  try {
    figures = await build(handle, spec, concurrency, log);
  } finally {
    await handle.close();
  }
  await withAdmin((admin) => admin.query(`COMMENT ON DATABASE ${name} IS '${COMPLETE(spec)}'`));
  return { ...base, location: url, env: serviceEnv(kind, url), figures };
}

/** Enough certificates of K names each for `domains` domains (rounded up to whole certificates). */
export const specFor = (domains: number, namesPerCertificate: number): CorpusSpec => ({
  certificates: Math.ceil(domains / namesPerCertificate),
  namesPerCertificate,
});

// Alone: builds (or finds) the corpora of BENCH_DOMAINS (default 10,000 and 100,000) on BENCH_TARGETS.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = Number(process.env.BENCH_NAMES_PER_CERT ?? 10);
  const sizes = (process.env.BENCH_DOMAINS ?? '10000,100000').split(',').map(Number);
  const kinds = (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',') as CorpusKind[];
  (async () => {
    for (const kind of kinds) {
      for (const domains of sizes) {
        const corpus = await ensureCorpus(kind, specFor(domains, names), { rebuild: process.env.BENCH_REBUILD === '1' });
        console.log(`${kind} ${corpus.domains} domains: ${corpus.location}${corpus.figures ? ` ${JSON.stringify(corpus.figures)}` : ' (cached)'}`);
      }
    }
  })().then(() => process.exit(0), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

// --- the service serving a corpus, as `npm start` runs it ---

export type Service = {
  url: string;
  pid: number;
  /** From spawn to the first /readyz 200. */
  readyMs: number;
  /** Resident set size of the service process now, bytes (/proc/<pid>/status VmRSS). */
  rss: () => Promise<number>;
  /** CPU time used so far, ms. */
  cpuMs: () => Promise<number>;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU time (user + system) a process has used so far, ms: a per-request cost that load on the machine does not inflate. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks (100/s on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}


/**
 * Command and arguments that run the service in `root` as `npm start` does: its compiled
 * dist/main.js (built first if stale), in one process so its RSS is the service's. A checkout
 * from before the build step (BENCH_SERVICE_ROOT, for before/after figures) runs through tsx.
 */
async function serviceCommand(root: string): Promise<string[]> {
  const script = path.join(root, 'scripts/build.mjs');
  if (!existsSync(script)) return ['--import', 'tsx', 'src/main.ts'];
  const { ensureBuilt } = (await import(pathToFileURL(script).href)) as typeof import('../scripts/build.mjs');
  await ensureBuilt();
  return ['dist/main.js'];
}

/** The service (every role) on the corpus; resolves when /readyz answers 200. */
export async function startService(corpus: Corpus, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Service> {
  const [admin, pub] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${admin}`;
  // BENCH_SERVICE_ROOT: another checkout's service on the same corpus (before/after figures).
  const root = process.env.BENCH_SERVICE_ROOT ?? ROOT;
  const args = await serviceCommand(root);
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${admin}`,
      CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${pub}`,
      CERTLEDGER_LOG_LEVEL: 'warn',
      ...corpus.env,
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const stop = async () => {
    if (!gone) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (gone) throw new Error(`the service exited before it was ready: ${stderr}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the service was not ready in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - t0;
  return { url, pid: child.pid!, readyMs, rss: () => rssOf(child.pid!), cpuMs: () => cpuMsOf(child.pid!), stop };
}
