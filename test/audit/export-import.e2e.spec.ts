/**
 * `certledger export` → `certledger import-events` as an operator runs them (child processes) from
 * one PostgreSQL database into an EMPTY one under a DIFFERENT master key: identical read tables
 * and events, every private key readable and equal, shredded keys still shredded, no key material
 * in the file, a wrong passphrase refused before anything is written. Prints the rates.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { Database } from '../../src/infra/db/schema.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { masterKeyId } from '../../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { createTestChain, type TestChain } from '../support/pki.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/certledger.mjs');
const PASSPHRASE = 'correct horse battery staple';
/** Appended across many streams so the import cannot batch them: the rate is a lower bound. */
const SYNTHETIC_EVENTS = 2_000;

type Result = { code: number; stdout: string; stderr: string };
async function certledger(args: string[], env: Record<string, string>): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const urlOf = (handle: DatabaseHandle) => (handle.pool!.options as { connectionString: string }).connectionString;

/** Every table, every column, rows sorted: what "identical read tables" means here. */
async function dump(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
  const out: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    // The vault differs on purpose (other master key); migrations bookkeeping is not data.
    if (name === 'key_vault' || name.startsWith('kysely_')) continue;
    const rows = await sql<{ row: Record<string, unknown> }>`select row_to_json(t) as row from ${sql.table(name)} t`.execute(db);
    out[name] = rows.rows.map(({ row }) => {
      if (name === 'projection_checkpoints') delete row.updated_at;
      // Event times travel as the port gives them: ISO-8601 to the millisecond.
      if (name === 'events') row.created_at = new Date(String(row.created_at)).toISOString();
      return JSON.stringify(row);
    }).sort();
  }
  return out;
}

let source: TestStack;
let target: DatabaseHandle;
let dir: string;
let sourceEnv: Record<string, string>;
let targetEnv: Record<string, string>;
const chains: TestChain[] = [];
const sourceKey = randomBytes(32);
const targetKey = randomBytes(32);
const tag = randomBytes(3).toString('hex');
const names = [[`a-${tag}.move.test`, `b-${tag}.move.test`], [`a-${tag}.move.test`], [`c-${tag}.move.test`]];
let shreddedKeyId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certledger-export-'));
  source = await startTestStack('postgres', { masterKey: sourceKey });
  target = await openTestDatabase('postgres');
  const certificateIds: string[] = [];
  for (const [i, set] of names.entries()) {
    const chain = await createTestChain({ names: set, keyAlgorithm: i === 1 ? 'RSA' : 'EC' });
    chains.push(chain);
    const res = await fetch(`${source.admin.url}/.well-known/peter_sslers/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    certificateIds.push(body.certificate.id);
  }
  const post = (path: string, body: unknown) => fetch(`${source.admin.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post(`/certificates/${certificateIds[0]}/deactivate`, { reason: 'superseded' })).status).toBe(200);
  expect((await post(`/domains/c-${tag}.move.test/deactivate`, { reason: 'gone' })).status).toBe(200);
  const imported = await source.handle.db.selectFrom('certificates').select(['id', 'private_key_id']).where('id', '=', certificateIds[2]!).executeTakeFirstOrThrow();
  shreddedKeyId = imported.private_key_id;
  await source.deps.vault.shred(shreddedKeyId);
  for (let i = 0; i < SYNTHETIC_EVENTS; i += 1) {
    await source.deps.store.append(`auditBench-${i % 100}`, [{
      type: 'NginxCacheExpired',
      data: { scope: 'domains', domainNames: [`n${i}-${tag}.bench.test`], trigger: 'operator', results: [], expiredAt: new Date().toISOString() },
      metadata: { actor: 'bench' },
    }], { expectedRevision: 'any' });
  }
  await source.projectionSet.waitFor(await source.deps.store.headPosition(), { timeoutMs: 120_000 });
  sourceEnv = { DATABASE_URL: urlOf(source.handle), CERTLEDGER_MASTER_KEY: sourceKey.toString('hex'), CERTLEDGER_EXPORT_PASSPHRASE: PASSPHRASE };
  targetEnv = { DATABASE_URL: urlOf(target), CERTLEDGER_MASTER_KEY: targetKey.toString('hex') };
}, 240_000);

afterAll(async () => {
  await source?.close();
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('certledger export and import-events (PostgreSQL → empty PostgreSQL, other master key)', () => {
  const file = () => join(dir, 'site.jsonl.gz');

  it('exports the whole log with its keys sealed under the passphrase, and nothing in clear', async () => {
    const result = await certledger(['export', file(), '--json'], sourceEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const head = await source.deps.store.headPosition();
    expect(report).toMatchObject({ events: Number(head), keys: 3, shreddedKeys: 1, gzip: true, head: head.toString() });
    console.log(`export: ${report.events} events in ${report.elapsedMs} ms = ${report.eventsPerSecond} events/s`);

    const raw = gunzipSync(await readFile(file()));
    const text = raw.toString('utf8');
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'certledger-event-log', version: 1, counts: { events: report.events, keys: 3, shreddedKeys: 1 }, keys: { name: 'scrypt', cipher: 'aes-256-gcm' } });
    expect(lines.filter((l) => l.kind === 'key')).toHaveLength(3);
    expect(lines.find((l) => l.privateKeyId === shreddedKeyId)).toMatchObject({ kind: 'key', shreddedAt: expect.any(String) });
    expect(lines.find((l) => l.privateKeyId === shreddedKeyId).sealed).toBeUndefined();
    expect(text).not.toMatch(/PRIVATE KEY/);
    for (const chain of chains) {
      const der = chain.leaf.keyDer;
      expect(raw.includes(der.subarray(16, 80))).toBe(false);
      for (const encoded of [der.toString('base64'), der.toString('base64url'), der.toString('hex')]) expect(text).not.toContain(encoded.slice(40, 120));
    }
    // The master key never travels either.
    expect(text).not.toContain(sourceKey.toString('hex'));
    expect(text).not.toContain(sourceKey.toString('base64').slice(0, 40));
  }, 120_000);

  it('refuses a wrong passphrase with one line, before writing anything', async () => {
    const result = await certledger(['import-events', file()], { ...targetEnv, CERTLEDGER_EXPORT_PASSPHRASE: 'not the passphrase' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('certledger: wrong passphrase: the export\'s keys cannot be decrypted with it\n');
    expect(Number((await target.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
    expect(await target.db.selectFrom('key_vault').selectAll().execute()).toEqual([]);
  }, 120_000);

  it('imports into the empty store: identical read tables and events, every key equal, shredded still shredded', async () => {
    const passphraseFile = join(dir, 'passphrase');
    await import('node:fs/promises').then((fs) => fs.writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 }));
    const result = await certledger(['import-events', file(), '--passphrase-file', passphraseFile, '--json'], targetEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ keys: 3, shreddedKeys: 1, projections: 'caught up' });
    console.log(`import-events: ${report.events} events in ${report.elapsedMs} ms = ${report.eventsPerSecond} events/s; projections caught up in ${report.projectionMs} ms`);

    const [after, before] = [await dump(target.db), await dump(source.handle.db)];
    expect(Object.keys(after)).toEqual(Object.keys(before));
    // Table by table, naming the first differing row: a whole-dump diff is unreadable.
    for (const table of Object.keys(before)) {
      const a = after[table]!;
      const b = before[table]!;
      const first = b.findIndex((row, i) => a[i] !== row);
      expect({ table, rows: a.length, first: first < 0 ? null : a[first] }).toEqual({ table, rows: b.length, first: first < 0 ? null : b[first] });
    }

    const sourceVault = createKeyVault(source.handle.db, { key: sourceKey, id: masterKeyId(sourceKey) });
    const targetVault = createKeyVault(target.db, { key: targetKey, id: masterKeyId(targetKey) });
    const ids = (await source.handle.db.selectFrom('key_vault').select('private_key_id').execute()).map((r) => r.private_key_id);
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      if (id === shreddedKeyId) {
        await expect(targetVault.get(id)).rejects.toThrow(/shredded/);
        await expect(targetVault.put(id, randomBytes(64))).rejects.toThrow(/shredded/);
        continue;
      }
      expect((await targetVault.get(id)).equals(await sourceVault.get(id))).toBe(true);
    }
    const rows = await target.db.selectFrom('key_vault').select(['master_key_id', 'shredded_at']).where('shredded_at', 'is', null).execute();
    expect(rows.every((r) => r.master_key_id === masterKeyId(targetKey))).toBe(true);
  }, 240_000);

  it('round-trips a plain (not gzipped) export with --rebuild into another empty database', async () => {
    const plain = join(dir, 'site.jsonl');
    expect((await certledger(['export', plain], sourceEnv)).code).toBe(0);
    expect((await readFile(plain, 'utf8')).startsWith('{"format":"certledger-event-log"')).toBe(true);
    const other = await openTestDatabase('postgres');
    try {
      const result = await certledger(['import-events', plain, '--rebuild'], { DATABASE_URL: urlOf(other), CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'), CERTLEDGER_EXPORT_PASSPHRASE: PASSPHRASE });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^imported \d+ events and 3 keys \(1 shredded\) in \d+ ms \(\d+ events\/s\); read models rebuilt in \d+ ms\n/);
      const [after, before] = [await dump(other.db), await dump(source.handle.db)];
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    } finally {
      await other.close();
    }
  }, 240_000);

  it('imports into an empty embedded PGlite folder too (the CLI projects there itself)', async () => {
    const dataDir = join(dir, 'pglite-site');
    const result = await certledger(['--json', 'import-events', file()], { CERTLEDGER_DATA_DIR: dataDir, CERTLEDGER_MASTER_KEY: targetKey.toString('hex'), CERTLEDGER_EXPORT_PASSPHRASE: PASSPHRASE });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ keys: 3, shreddedKeys: 1, projections: 'caught up' });
    console.log(`import-events (PGlite): ${report.events} events in ${report.elapsedMs} ms = ${report.eventsPerSecond} events/s; projections caught up ${report.projectionMs} ms later`);
    const embedded = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      const [after, before] = [await dump(embedded.db), await dump(source.handle.db)];
      for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    } finally {
      await embedded.close();
    }
  }, 240_000);

  it('refuses a store that is not empty, in one line', async () => {
    const again = await certledger(['import-events', file()], { ...targetEnv, CERTLEDGER_EXPORT_PASSPHRASE: PASSPHRASE });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^certledger: the event store is not empty \(head position \d+\): import-events only writes into an empty store\n$/);
    const clash = await certledger(['export', file()], sourceEnv);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/^certledger: .*exists: choose a new file name\n$/);
  }, 120_000);
});

describe('certledger history and events tail (on the imported site)', () => {
  it('prints a domain\'s and the log\'s events as text and JSON', async () => {
    const domain = `a-${tag}.move.test`;
    const text = await certledger(['history', 'domain', domain.toUpperCase()], targetEnv);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.some((l) => / CertificateDeactivated certificate-\S+ certificateId=\S+ reason=superseded/.test(l))).toBe(true);
    for (const line of lines) expect(line).toMatch(/^\d+ \d{4}-\d\d-\d\dT\S+Z [A-Z][A-Za-z]+ [a-zA-Z]+-\S+/);
    const asJson = JSON.parse((await certledger(['--json', 'history', 'domain', domain], targetEnv)).stdout);
    const api = await fetch(`${source.admin.url}/api/v1/domains/${domain}/history?limit=500`).then(json);
    expect(asJson.items.map((i: { id: string }) => i.id)).toEqual(api.items.map((i: { id: string }) => i.id));
    expect(asJson.items.map((i: { position: string }) => i.position)).toEqual(lines.map((l) => l.split(' ')[0]));

    const missing = await certledger(['history', 'domain', `none-${tag}.move.test`], targetEnv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`certledger: no event touched the domain none-${tag}.move.test\n`);
    const badOrder = await certledger(['history', 'order', 'nope'], targetEnv);
    expect(badOrder.code).toBe(1);
    expect(badOrder.stderr.trim().split('\n')).toHaveLength(1);

    const tail = await certledger(['--json', 'events', 'tail', '-n', '3', '--type', 'CertificateImported'], targetEnv);
    expect(tail.code).toBe(0);
    const tailed = tail.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(tailed.map((e) => e.type)).toEqual(['CertificateImported', 'CertificateImported', 'CertificateImported']);
    const stream = await certledger(['events', 'tail', '--stream', 'auditBench-7', '-n', '5'], targetEnv);
    expect(stream.stdout.trimEnd().split('\n').map((l) => l.split(' ')[3])).toEqual(Array(5).fill('auditBench-7'));
  }, 120_000);

  it('documents each command with --help', async () => {
    for (const args of [['events', 'tail', '--help'], ['history', 'domain', '--help'], ['history', 'order', '--help'], ['export', '--help'], ['import-events', '--help']]) {
      const help = await certledger(args, {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: certledger /);
    }
    const noPassphrase = await certledger(['export', join(dir, 'never.jsonl')], { ...sourceEnv, CERTLEDGER_EXPORT_PASSPHRASE: '' });
    expect(noPassphrase.code).toBe(1);
    expect(noPassphrase.stderr).toBe('certledger: no passphrase: give --passphrase-file F or set CERTLEDGER_EXPORT_PASSPHRASE\n');
  });

  it('follows new events live and exits 0 on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, '--json', 'events', 'tail', '-n', '1', '--follow', '--stream', `live-${tag}`], { env: { PATH: process.env.PATH ?? '', ...targetEnv } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const store = createPostgresEventStore(target);
    try {
      // The child is subscribed once it has read the (empty) past; appends before that are in its past anyway.
      await new Promise((r) => setTimeout(r, 3_000));
      await store.append(`live-${tag}`, [{ type: 'NginxCacheExpired', data: { scope: 'all', trigger: 'operator', results: [], expiredAt: new Date().toISOString() } }], { expectedRevision: 'no_stream' });
      for (let i = 0; i < 100 && !out.includes(`live-${tag}`); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ stream: `live-${tag}`, type: 'NginxCacheExpired', revision: '0' });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await store.close();
    }
  }, 60_000);
});
