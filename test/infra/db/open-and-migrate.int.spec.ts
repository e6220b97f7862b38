import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../src/infra/db/kysely.js';
import { migrateToLatest } from '../../../src/infra/db/migrate.js';

const recorded = async (handle: DatabaseHandle) =>
  (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(handle.db)).rows.map((r) => r.name);

describe('PGlite at start: its memory settings and migrateToLatest', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ kind: 'pglite' });
  });
  afterAll(async () => handle?.close());

  it('opens PGlite with small buffers: its WASM heap never shrinks', async () => {
    const show = async (setting: string) => (await sql.raw<Record<string, string>>(`SHOW ${setting}`).execute(handle.db)).rows[0]![setting];
    expect(await show('shared_buffers')).toBe('16MB');
    expect(await show('wal_buffers')).toBe('4MB');
  });

  it('migrates a new database, then finds it up to date', async () => {
    await migrateToLatest(handle.db);
    const names = await recorded(handle);
    expect(names.length).toBeGreaterThan(10);
    await migrateToLatest(handle.db);
    expect(await recorded(handle)).toEqual(names);
  });

  it('runs a migration that is not recorded yet', async () => {
    const names = await recorded(handle);
    const last = names.at(-1)!;
    await sql`DELETE FROM kysely_migration WHERE name = ${last}`.execute(handle.db);
    // The last migration runs again: its tables exist, so it fails, and says which one.
    await expect(migrateToLatest(handle.db)).rejects.toThrow(`Database migration ${last} failed`);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${last}, ${new Date().toISOString()})`.execute(handle.db);
    await migrateToLatest(handle.db);
  });

  it('refuses a database migrated by a newer build', async () => {
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_future', ${new Date().toISOString()})`.execute(handle.db);
    await expect(migrateToLatest(handle.db)).rejects.toThrow(/Database migration/);
  });
});
