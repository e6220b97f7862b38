/**
 * npm run bench:replay — part 3: rebuild every projection from an event log of BENCH_REPLAY_EVENTS
 * events (1,000,000 by default; BENCH_QUICK=1: 20,000) on PostgreSQL, beside a plain COPY of the
 * same event rows into a table (the floor of what any replay costs).
 *
 * The log is written through the real command path (importCertificate, deactivateCertificate)
 * with a few commands in flight and no projection running: per domain three generations of
 * certificates (the oldest two expired or superseded) and the superseded one deactivated,
 * 10 events a domain. Certificate facts are synthetic (random PEM bodies and fingerprints of real
 * sizes): parsing and signing real certificates runs at ~100/s here, which would take an hour
 * for 300,000 certificates, and no projection reads the certificate bytes. The log is kept in the
 * database certledger_bench_replay_<events> and reused when complete (BENCH_REPLAY_FRESH=1 regrows it).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { importCertificate } from '../src/commands/certificate/import-certificate.js';
import { deactivateCertificate } from '../src/commands/certificate/deactivate-certificate.js';
import { openDatabase, type DatabaseHandle } from '../src/infra/db/kysely.js';
import { migrateToLatest } from '../src/infra/db/migrate.js';
import type { Database } from '../src/infra/db/schema.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgres.js';
import type { EventStore, RecordedEvent } from '../src/infra/eventstore/port.js';
import { fromEventRow } from '../src/infra/eventstore/serde.js';
import { ConcurrencyError } from '../src/domain/shared/errors.js';
import type { KeyVault } from '../src/infra/key-vault/port.js';
import { parseCertificate, type ParsedCertificate } from '../src/infra/x509/certificate.js';
import type { ParsedPrivateKey } from '../src/infra/x509/private-key.js';
import { catalogProjections } from '../src/projections/index.js';
import { rebuildBeside, rebuildTogether, type RebuildResult } from '../src/projections/rebuild/rebuild-beside.js';
import { createCa } from '../test/support/pki.js';
import { cpuMsOf } from './corpus.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? (QUICK ? 20_000 : 1_000_000));
const IN_FLIGHT = Number(process.env.BENCH_REPLAY_IN_FLIGHT ?? 8);
const BATCH = process.env.BENCH_REPLAY_BATCH ? Number(process.env.BENCH_REPLAY_BATCH) : undefined;
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS_PER_DOMAIN = 10;
const DAY = 86_400_000;
const GOAL = 30_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const urlOf = (database: string): string => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
};

/** A PEM of a real leaf's size whose body is random: unique bytes, no crypto. */
function fakePem(bytes: number): string {
  const body = randomBytes(bytes).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** What importCertificate reads of a parsed bundle, with facts of real sizes; the rest is never touched. */
function syntheticLeaf(names: string[], issuer: ParsedCertificate, notBefore: Date): { certificate: ParsedCertificate; privateKey: ParsedPrivateKey } {
  const pem = fakePem(560);
  const spkiSha256 = hex(32);
  const certificate = {
    pem,
    fingerprintSha1: createHash('sha1').update(pem).digest('hex'),
    fingerprintSha256: createHash('sha256').update(pem).digest('hex'),
    spkiSha256,
    serial: hex(16),
    subject: `CN=${names[0]}`,
    issuer: issuer.subject,
    notBefore: notBefore.toISOString(),
    notAfter: new Date(notBefore.getTime() + 90 * DAY).toISOString(),
    domainNames: names,
    isCa: false,
    isSelfSigned: false,
    aiaCaIssuersUrls: [],
    subjectKeyId: hex(20),
    authorityKeyId: issuer.subjectKeyId,
  } as unknown as ParsedCertificate;
  const pkcs8Der = randomBytes(138);
  const privateKey: ParsedPrivateKey = { pkcs8Der, pkcs8Pem: '', keyTechnology: 'EC_P256', spkiDer: randomBytes(91), spkiSha256 };
  return { certificate, privateKey };
}

/** Every fourth domain also has a www name: some name sets of two. */
const namesOf = (i: number): string[] => (i % 4 === 0 ? [`h${i}.replay.bench`, `www.h${i}.replay.bench`] : [`h${i}.replay.bench`]);

/**
 * The EventStore port over a buffer: the real command handlers decide and append through it, and
 * appends reach PostgreSQL in multi-row INSERTs of FLUSH_ROWS (the one-transaction-per-append path
 * runs at 50–150 commands/s on this shared 2-core machine: a million events would take hours).
 * One writer in order, so positions are gap-free; revisions are checked as the adapter does.
 */
const FLUSH_ROWS = 2_000;
function bufferedStore(handle: DatabaseHandle, startAt: bigint) {
  const db = handle.db;
  const pending = new Map<string, RecordedEvent[]>();
  const hot = new Map<string, RecordedEvent[]>();
  const flushed = new Set<string>();
  let rows: RecordedEvent[] = [];
  let position = startAt;
  let flushing: Promise<void> = Promise.resolve();

  const write = async (batch: RecordedEvent[]) => {
    const column = <T>(pick: (e: RecordedEvent) => T) => batch.map(pick);
    await sql`
      INSERT INTO events (global_position, event_id, stream_name, stream_revision, event_type, data, metadata)
      SELECT * FROM unnest(${column((e) => e.position.toString())}::int8[], ${column((e) => e.id)}::uuid[], ${column((e) => e.streamName)}::text[],
                           ${column((e) => e.revision.toString())}::int8[], ${column((e) => e.type)}::text[],
                           ${column((e) => JSON.stringify(e.data))}::jsonb[], ${column((e) => JSON.stringify(e.metadata))}::jsonb[])`.execute(db);
  };
  const flush = (): Promise<void> => {
    const batch = rows;
    rows = [];
    for (const e of batch) flushed.add(e.streamName);
    pending.clear();
    flushing = flushing.then(() => (batch.length > 0 ? write(batch) : undefined));
    return flushing;
  };
  const known = async (streamName: string): Promise<RecordedEvent[]> => {
    const own = pending.get(streamName) ?? hot.get(streamName);
    if (own) return own;
    if (!flushed.has(streamName)) return [];
    await flushing;
    const stored = await db.selectFrom('events').selectAll().where('stream_name', '=', streamName).orderBy('stream_revision').execute();
    return stored.map(fromEventRow);
  };

  const store: EventStore = {
    kind: 'postgres',
    async append(streamName, events, { expectedRevision }) {
      const read = await known(streamName);
      // Another command may have appended while this one read: the buffer is the newer truth.
      const recorded = pending.get(streamName) ?? hot.get(streamName) ?? read;
      const current = recorded.at(-1)?.revision ?? null;
      const holds = expectedRevision === 'any' || (expectedRevision === 'no_stream' && current === null)
        || (expectedRevision === 'stream_exists' && current !== null) || expectedRevision === current;
      if (!holds) throw new ConcurrencyError(streamName, String(expectedRevision), String(current));
      const next = [...recorded];
      for (const event of events) {
        position += 1n;
        const e: RecordedEvent = {
          id: randomUUID(), streamName, revision: BigInt(next.length), position, type: event.type,
          data: event.data as Record<string, unknown>, metadata: { schemaVersion: 1, ...event.metadata }, createdAt: new Date().toISOString(),
        };
        next.push(e);
        rows.push(e);
      }
      pending.set(streamName, next);
      // CA certificates and chains are read by every import: keep them (and only a few streams) in memory.
      if (streamName.startsWith('ca')) hot.set(streamName, next);
      if (rows.length >= FLUSH_ROWS) await flush();
      return { nextRevision: BigInt(next.length - 1), position };
    },
    readStream: (streamName) => known(streamName),
    readAll: () => Promise.reject(new Error('not used while growing')),
    headPosition: () => Promise.resolve(position),
    subscribeToAll: () => { throw new Error('not used while growing'); },
    onAppended: () => () => undefined,
    close: async () => {
      await flush();
      await sql`SELECT setval(pg_get_serial_sequence('events', 'global_position'), ${position.toString()}::int8)`.execute(db);
    },
  };
  return store;
}

/** importCertificate only puts keys; the synthetic ones are never read, so they are not kept. */
const discardingVault = { put: () => Promise.resolve() } as unknown as KeyVault;

/**
 * Generation g of domain i starts (165 - 80g) days ago and lasts 90 days: the first is expired,
 * the third supersedes the second, which is then deactivated.
 */
async function growLog(handle: DatabaseHandle, events: number): Promise<{ seconds: number; certificates: number }> {
  const store = bufferedStore(handle, await createPostgresEventStore(handle).headPosition());
  const now = () => new Date();
  const deps = { store, vault: discardingVault, now, db: handle.db };
  const root = await createCa();
  const intermediate = await createCa({ issuer: root });
  const chain = [parseCertificate(intermediate.certPem), parseCertificate(root.certPem)];
  const issuer = chain[0]!;
  const domains = Math.max(1, Math.floor(events / EVENTS_PER_DOMAIN));
  const started = performance.now();
  const base = Date.now() - 165 * DAY;
  const superseded = new Map<number, string>();
  let next = 0;
  let certificates = 0;
  const tasks = domains * 3;
  const work = async () => {
    for (let task = next++; task < tasks; task = next++) {
      const generation = Math.floor(task / domains);
      const i = task % domains;
      const leaf = syntheticLeaf(namesOf(i), issuer, new Date(base + generation * 80 * DAY));
      const imported = await importCertificate(deps, { ...leaf, chains: [chain], isExpired: new Date(leaf.certificate.notAfter) < now() });
      certificates += 1;
      if (generation === 1) superseded.set(i, imported.certificateId);
      const old = generation === 2 ? superseded.get(i) : undefined;
      if (old) {
        await deactivateCertificate(deps, old, { reason: 'superseded', actor: 'bench' });
        superseded.delete(i);
      }
      if (task % 20_000 === 0) {
        const seconds = (performance.now() - started) / 1000;
        log(`  ${task}/${tasks} commands, ${certificates} certificates, ${Math.round(certificates / seconds)} certificates/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, work));
  await store.close();
  return { seconds: (performance.now() - started) / 1000, certificates };
}

/** The kept database, grown now when absent or incomplete. */
export async function openLog(events: number): Promise<{ handle: DatabaseHandle; grown?: { seconds: number; certificates: number } }> {
  const name = `certledger_bench_replay_${events}`;
  const fresh = process.env.BENCH_REPLAY_FRESH === '1';
  const exists = await admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists && !fresh) {
    const handle = await openDatabase({ kind: 'postgres', url: urlOf(name) });
    const done = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'bench_replay_complete'`.execute(handle.db);
    if (done.rows[0]?.n === 1) return { handle };
    await handle.close();
  }
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const handle = await openDatabase({ kind: 'postgres', url: urlOf(name), poolSize: IN_FLIGHT + 2 });
  await migrateToLatest(handle.db);
  log(`growing an event log of ~${events} events in ${name}…`);
  const grown = await growLog(handle, events);
  await sql`CREATE TABLE bench_replay_complete (grown_seconds float8)`.execute(handle.db);
  await sql`VACUUM ANALYZE events`.execute(handle.db);
  return { handle, grown };
}

/** COPY of the same rows from a server-side file into a table: without indexes, then with the events table's indexes. */
async function copyReference(db: Kysely<Database>, rows: number): Promise<{ plain: number; indexed: number }> {
  const file = `/tmp/certledger-bench-replay-${process.pid}.copy`;
  await sql`COPY (SELECT * FROM events ORDER BY global_position) TO ${sql.lit(file)}`.execute(db);
  const timed = async (like: string): Promise<number> => {
    await sql`DROP TABLE IF EXISTS bench_replay_copy`.execute(db);
    await sql.raw(`CREATE TABLE bench_replay_copy (LIKE events ${like})`).execute(db);
    const started = performance.now();
    await sql`COPY bench_replay_copy FROM ${sql.lit(file)}`.execute(db);
    return (rows * 1000) / (performance.now() - started);
  };
  try {
    const plain = await timed('INCLUDING DEFAULTS');
    const indexed = await timed('INCLUDING ALL');
    return { plain, indexed };
  } finally {
    await sql`DROP TABLE IF EXISTS bench_replay_copy`.execute(db);
    // Loopback only: the server wrote the file on this machine (about 1 GB for a million events).
    await rm(file, { force: true }).catch(() => undefined);
  }
}

/**
 * CPU seconds spent by this database's PostgreSQL backends while `work` runs: every backend is
 * sampled each 250 ms (one that exits between two samples loses its last 250 ms at most).
 */
async function backendCpu<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const latest = new Map<number, number>();
  const sample = async () => {
    const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
    for (const { pid } of rows) {
      const ms = await cpuMsOf(pid).catch(() => undefined);
      if (ms !== undefined) latest.set(pid, ms);
    }
  };
  await sample();
  const baseline = new Map(latest);
  const timer = setInterval(() => void sample().catch(() => undefined), 250);
  try {
    const value = await work();
    await sample();
    let ms = 0;
    // A backend born during the run counts from 0.
    for (const [pid, end] of latest) ms += end - (baseline.get(pid) ?? 0);
    return { value, seconds: ms / 1000 };
  } finally {
    clearInterval(timer);
  }
}

export async function runReplay(): Promise<BenchSection> {
  const { handle, grown } = await openLog(EVENTS);
  try {
    const db = handle.db;
    const store = createPostgresEventStore(handle);
    const head = await store.headPosition();
    const rows = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]!.n);
    const options = BATCH ? { batchSize: BATCH } : {};
    // What `certledger projections rebuild all` does: one read of the log for every projection.
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { value: together, seconds: pgCpuS } = await backendCpu(db, () => rebuildTogether({ db, store }, catalogProjections, options));
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const nodeCpuS = (cpu.user + cpu.system) / 1e6;
    log(`  all together: ${Math.round(totalMs)} ms (CPU: node ${nodeCpuS.toFixed(1)} s, PostgreSQL ${pgCpuS.toFixed(1)} s; load ${loadavg()[0]!.toFixed(2)})`);
    // Each alone, for the share each costs.
    const results: RebuildResult[] = [];
    for (const projection of catalogProjections) {
      const result = await rebuildBeside({ db, store }, projection, options);
      log(`  ${result.name}: ${result.events} events in ${result.elapsedMs} ms (${result.eventsPerSecond} events/s)`);
      results.push(result);
    }
    const copy = await copyReference(db, rows);
    await store.close();
    const total = (rows * 1000) / totalMs;
    const reference = { name: 'COPY into a table', value: Math.round(copy.plain), unit: 'events/s' };
    const section: BenchSection = {
      part: 3,
      title: `Replay: rebuild every projection from ${rows.toLocaleString('en-US')} events`,
      rows: [
        ...results.map((r): BenchRow => ({
          measure: `rebuild ${r.name} beside + swap`,
          target: 'postgres',
          value: r.eventsPerSecond,
          unit: 'events/s',
          details: { events: r.events, ms: r.elapsedMs, 'log positions/s': Math.round((Number(r.position) * 1000) / r.elapsedMs) },
          reference,
          ratio: r.eventsPerSecond / copy.plain,
        })),
        {
          measure: 'rebuild all projections (one read of the log)',
          target: 'postgres',
          value: Math.round(total),
          unit: 'events/s',
          details: {
            events: rows, s: Number((totalMs / 1000).toFixed(1)), 'node CPU s': Number(nodeCpuS.toFixed(1)), 'PostgreSQL CPU s': Number(pgCpuS.toFixed(1)),
            'CPU µs/event': Math.round(((nodeCpuS + pgCpuS) * 1e6) / rows),
            'COPY with indexes events/s': Math.round(copy.indexed),
            ...Object.fromEntries(together.map((r) => [`${r.name} events`, r.events])),
          },
          reference,
          ratio: total / copy.plain,
          goal: `≥ ${GOAL.toLocaleString('en-US')} events/s`,
          met: total >= GOAL,
        },
      ],
      notes: [
        `log: ${rows} events up to position ${head} (${Math.floor(EVENTS / EVENTS_PER_DOMAIN)} domains × 3 certificate generations + 1 deactivation), written through importCertificate/deactivateCertificate with ${IN_FLIGHT} in flight` +
          (grown ? `; grown in ${grown.seconds.toFixed(0)} s (${Math.round(grown.certificates / grown.seconds)} certificates/s)` : '; reused from a kept database'),
        'total = log events / time to rebuild every projection together (rebuildTogether: one reader, each projection applying its share on its own connection, each swapping in when caught up); per-projection rows: each rebuilt alone; COPY = server-side file into a table with no indexes (with the events indexes in details)',
      ],
    };
    return section;
  } finally {
    await handle.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runReplay);
