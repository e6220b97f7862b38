import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import { migrateToLatest } from '../../src/infra/db/migrate.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh, migrated database. PGlite: in memory. PostgreSQL: a database of its own
 * (certledger_t_<hex>) so test files run in parallel; close() drops it. An unreachable server
 * is an error, never a skipped test.
 */
export async function openTestDatabase(kind: 'pglite' | 'postgres'): Promise<DatabaseHandle> {
  if (kind === 'pglite') {
    const handle = await openDatabase({ kind: 'pglite' });
    await migrateOrClose(handle);
    return handle;
  }

  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const name = `certledger_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const drop = () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ kind: 'postgres', url: url.toString() });
  } catch (err) {
    await drop();
    throw err;
  }
  const close = async () => {
    try {
      await handle.close();
    } finally {
      await drop();
    }
  };
  await migrateOrClose({ ...handle, close });
  return { ...handle, close };
}

async function migrateOrClose(handle: DatabaseHandle): Promise<void> {
  try {
    await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  // pg emits 'error' on a client that loses its connection; without a listener that kills the worker.
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (err) {
    const where = new URL(adminUrl);
    where.password = '';
    throw new Error(
      `PostgreSQL is not reachable at ${where.host}${where.pathname}: start it with ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set TEST_DATABASE_URL)',
      { cause: err },
    );
  }
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
