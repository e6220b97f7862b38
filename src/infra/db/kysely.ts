import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './schema.js';
import { markPoolConnectError } from './unavailable.js';

const INT8_OID = 20;
/**
 * PGlite's buffers live in its WASM heap, which never shrinks: PostgreSQL's default 128MB of
 * shared buffers made them most of the service's RSS (366 MB idle at 10,000 domains, 245 MB with
 * 16MB). Its data files are read through the OS page cache anyway. WAL buffers stay at the 4MB
 * the default would have (1/32 of shared buffers): at 512kB, projecting took 10–20% more CPU here.
 */
const PGLITE_MEMORY = ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=4MB'];
const parseInt8 = (value: string): bigint => BigInt(value);

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** dataDir undefined: in memory (tests). */
  | { kind: 'pglite'; dataDir?: string };

export type DatabaseHandle = {
  kind: 'postgres' | 'pglite';
  db: Kysely<Database>;
  /** Set for PostgreSQL servers: LISTEN needs a connection of its own. */
  pool?: pg.Pool;
  pglite?: PGlite;
  close: () => Promise<void>;
};

/** The one place int8 is normalised: both drivers return bigint. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // A server that does not answer fails the request (503) instead of holding it.
      connectionTimeoutMillis: 5_000,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // A dropped idle connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // Nor one dropped while checked out between two queries (pg emits 'error' with no listener
    // then): the next query on it fails, the caller answers 503, and the pool discards it.
    pool.on('connect', (client) => client.on('error', () => undefined));
    // Tagged so the HTTP layer answers 503 "database unavailable" and not some other peer's outage.
    // pg's own pool.query() connects with a callback: both forms go through.
    type Done = (error: Error | undefined, client?: pg.PoolClient, release?: (error?: Error) => void) => void;
    const connect = pool.connect.bind(pool) as (callback?: Done) => Promise<pg.PoolClient> | undefined;
    pool.connect = ((callback?: Done) => (callback
      ? connect((error, client, release) => callback(error ? markPoolConnectError(error) as Error : error, client, release))
      : connect()!.catch((error: unknown) => { throw markPoolConnectError(error); }))) as typeof pool.connect;
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }
  // One options object: PGlite.create(undefined, options) ignores options (in-memory tests lost the int8 parser).
  const pglite = await PGlite.create({
    dataDir: target.dataDir,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_MEMORY],
    parsers: { [INT8_OID]: parseInt8 },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { kind: 'pglite', db, pglite, close: () => db.destroy() };
}
