/**
 * The shadow tables a rebuild replays into: without the deferred indexes while it replays, then
 * exactly the live tables' indexes (names, definitions) once they are built.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { catalogProjections } from '../../src/projections/index.js';
import { buildDeferredIndexes, createShadowTables, dropShadowTables, SHADOW_SCHEMA } from '../../src/projections/rebuild/shadow-tables.js';
import { openTestDatabase } from '../support/db.js';

describe.each(['pglite', 'postgres'] as const)('shadow tables (%s)', (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => { handle = await openTestDatabase(kind); }, 120_000);
  afterAll(async () => handle?.close());

  const indexes = async (schema: string, tables: readonly string[]) => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      SELECT indexname, replace(indexdef, ${`${schema}.`}, '') AS indexdef FROM pg_indexes
       WHERE schemaname = ${schema} AND tablename = ANY(${tables}::text[]) ORDER BY indexname`.execute(handle.db);
    return rows;
  };
  it.each(catalogProjections.map((p) => [p.name, p] as const))('%s: replays without its deferred indexes, then has the live tables\' indexes', async (_name, projection) => {
    const deferred = projection.deferredIndexes ?? [];
    const live = await indexes('public', projection.tables);
    const created = await createShadowTables(handle.db, projection.tables, deferred);
    try {
      expect(created.map((i) => i.name).sort()).toEqual([...deferred].sort());
      expect(await indexes(SHADOW_SCHEMA, projection.tables)).toEqual(live.filter((i) => !deferred.includes(i.indexname)));
      await buildDeferredIndexes(handle.db, created);
      expect(await indexes(SHADOW_SCHEMA, projection.tables)).toEqual(live);
    } finally {
      await dropShadowTables(handle.db, projection.tables);
    }
  });

  it('refuses to defer a unique index (the replay relies on it) or an index the tables lack', async () => {
    await expect(createShadowTables(handle.db, ['certificates'], ['certificates_fingerprint_sha256_key'])).rejects.toThrow(/unique/);
    await expect(createShadowTables(handle.db, ['certificates'], ['no_such_idx'])).rejects.toThrow(/no_such_idx/);
    await dropShadowTables(handle.db, ['certificates']);
  });
});
