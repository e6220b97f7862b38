/**
 * The shared bench corpus (bench/corpus.ts), opened for reading by a part. ensureCorpus drops a
 * PostgreSQL corpus that is not marked complete and builds it again: when another bench process
 * is building that same corpus right now, this waits for it instead of dropping its work.
 * PGlite is single-process, so a part reads a private copy of the cached data folder.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import { loadMasterKey } from '../../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import type { KeyVault } from '../../src/infra/key-vault/port.js';
import { ADMIN_DATABASE_URL, BENCH_MASTER_KEY, CACHE_DIR, ensureCorpus, type Corpus, type CorpusKind, type CorpusSpec } from '../corpus.js';

const WAIT_MS = 45 * 60_000;

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    return (await admin.query<T>(text, values)).rows;
  } finally {
    await admin.end();
  }
}

/** Someone else holds an incomplete PostgreSQL corpus open (building it). */
async function postgresBuildInProgress(spec: CorpusSpec): Promise<boolean> {
  const name = `certledger_bench_corpus_${spec.certificates}_${spec.namesPerCertificate}`;
  const rows = await query<{ comment: string | null; sessions: number }>(
    `SELECT shobj_description(d.oid, 'pg_database') AS comment,
       (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = d.datname) AS sessions
     FROM pg_database d WHERE d.datname = $1`, [name]);
  const row = rows[0];
  return row !== undefined && !(row.comment ?? '').startsWith('certledger bench corpus complete') && row.sessions > 0;
}

/** A PGlite corpus folder being built by a live process (`<dir>.building-<pid>`). */
async function pgliteBuildInProgress(spec: CorpusSpec): Promise<boolean> {
  const prefix = `corpus_${spec.certificates}_${spec.namesPerCertificate}.building-`;
  const entries = await readdir(CACHE_DIR).catch(() => [] as string[]);
  return entries.some((entry) => {
    if (!entry.startsWith(prefix)) return false;
    try {
      process.kill(Number(entry.slice(prefix.length)), 0);
      return true;
    } catch {
      return false;
    }
  });
}

export async function sharedCorpus(kind: CorpusKind, spec: CorpusSpec, log: (line: string) => void): Promise<Corpus> {
  const deadline = Date.now() + WAIT_MS;
  let said = false;
  while (kind === 'postgres' ? await postgresBuildInProgress(spec) : await pgliteBuildInProgress(spec)) {
    if (Date.now() > deadline) throw new Error(`another process is still building the ${kind} corpus ${JSON.stringify(spec)}`);
    if (!said) log(`another bench process is building the ${kind} corpus ${spec.certificates}×${spec.namesPerCertificate}: waiting for it…`);
    said = true;
    await sleep(5_000);
  }
  return ensureCorpus(kind, spec, { log });
}

export type OpenCorpus = { handle: DatabaseHandle; vault: KeyVault; close: () => Promise<void> };

/** The corpus database with the vault of its bench master key; PGlite from a private copy. */
export async function openCorpus(corpus: Corpus): Promise<OpenCorpus> {
  let copy: string | undefined;
  let handle: DatabaseHandle;
  if (corpus.kind === 'postgres') handle = await openDatabase({ kind: 'postgres', url: corpus.location });
  else {
    copy = await mkdtemp(path.join(tmpdir(), 'certledger-bench-corpus-'));
    await cp(corpus.location, copy, { recursive: true });
    handle = await openDatabase({ kind: 'pglite', dataDir: path.join(copy, 'pglite') });
  }
  const vault = createKeyVault(handle.db, await loadMasterKey({ configured: BENCH_MASTER_KEY }));
  return {
    handle,
    vault,
    close: async () => {
      await handle.close();
      if (copy) await rm(copy, { recursive: true, force: true });
    },
  };
}
