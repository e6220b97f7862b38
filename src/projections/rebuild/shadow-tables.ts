import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

/** Where shadow tables are built (created by migration 0010); never read by the service. */
export const SHADOW_SCHEMA = 'certledger_rebuild';

type Db = Kysely<Database> | Transaction<Database>;
type IndexRow = { schema: string; name: string; def: string };

/** The definition without its name and schema: `CREATE UNIQUE INDEX x ON s.t USING btree (a)` → `UNIQUE USING btree (a)`. */
const shape = (def: string): string => {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (.*)$/s.exec(def);
  if (!match) throw new Error(`unexpected index definition: ${def}`);
  return `${match[1] ?? ''}${match[2]}`;
};

async function indexesOf(db: Db, table: string): Promise<IndexRow[]> {
  const { rows } = await sql<IndexRow>`
    SELECT n.nspname AS schema, i.relname AS name, pg_get_indexdef(i.oid) AS def
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE t.relname = ${table} AND n.nspname IN ('public', ${SHADOW_SCHEMA})
     ORDER BY i.relname`.execute(db);
  return rows;
}

/**
 * LIKE … INCLUDING INDEXES names the copies after their columns, not as the migrations did
 * (`certificates_fqdn_set_idx`, `unique_fqdn_set_domains_pk`); a later migration that drops or
 * renames one by name would fail on a swapped table. So each copy takes its original's name,
 * through a temporary name first (a generated name may equal another index's original one).
 * Renaming an index also renames the PRIMARY KEY or UNIQUE constraint it backs.
 */
async function nameIndexesLikeLive(trx: Transaction<Database>, table: string): Promise<void> {
  const rows = await indexesOf(trx, table);
  const live = rows.filter((r) => r.schema === 'public');
  const shadow = rows.filter((r) => r.schema === SHADOW_SCHEMA);
  const free = [...live];
  const renames: { from: string; to: string }[] = [];
  for (const copy of shadow) {
    const at = free.findIndex((original) => shape(original.def) === shape(copy.def));
    if (at < 0) throw new Error(`shadow index ${copy.name} of ${table} matches no live index`);
    renames.push({ from: copy.name, to: (free.splice(at, 1)[0] as IndexRow).name });
  }
  if (free.length > 0) throw new Error(`live indexes ${free.map((r) => r.name).join(', ')} of ${table} were not copied`);
  for (const [i, r] of renames.entries()) {
    await sql`ALTER INDEX ${sql.id(SHADOW_SCHEMA, r.from)} RENAME TO ${sql.id(`certledger_tmp_${i}`)}`.execute(trx);
  }
  for (const [i, r] of renames.entries()) {
    await sql`ALTER INDEX ${sql.id(SHADOW_SCHEMA, `certledger_tmp_${i}`)} RENAME TO ${sql.id(r.to)}`.execute(trx);
  }
}

/** A secondary index left out of a shadow table during the replay, with the statement that builds it. */
export type DeferredIndex = { name: string; def: string };

/**
 * Empty copies of the live tables (columns, defaults, NOT NULL and CHECK constraints, indexes),
 * replacing any left by a run that died. No foreign keys point into or out of projection tables,
 * so LIKE loses nothing that matters (it never copies them). The `deferred` indexes (non-unique,
 * never read by the replay) are dropped from the copies: `buildDeferredIndexes` builds them once
 * the replay is done, in one pass each instead of one insert at a time.
 */
export async function createShadowTables(db: Kysely<Database>, tables: readonly string[], deferred: readonly string[] = []): Promise<DeferredIndex[]> {
  return db.transaction().execute(async (trx) => {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(SHADOW_SCHEMA)}`.execute(trx);
    const dropped: DeferredIndex[] = [];
    for (const table of tables) {
      await sql`DROP TABLE IF EXISTS ${sql.id(SHADOW_SCHEMA, table)}`.execute(trx);
      await sql`CREATE TABLE ${sql.id(SHADOW_SCHEMA, table)} (LIKE ${sql.id('public', table)} INCLUDING ALL)`.execute(trx);
      await nameIndexesLikeLive(trx, table);
      for (const index of await indexesOf(trx, table)) {
        if (index.schema !== SHADOW_SCHEMA || !deferred.includes(index.name)) continue;
        if (shape(index.def).startsWith('UNIQUE')) throw new Error(`index ${index.name} is unique: the replay relies on it, it cannot be deferred`);
        await sql`DROP INDEX ${sql.id(SHADOW_SCHEMA, index.name)}`.execute(trx);
        dropped.push({ name: index.name, def: index.def });
      }
    }
    const missing = deferred.filter((name) => !dropped.some((index) => index.name === name));
    if (missing.length > 0) throw new Error(`deferred indexes ${missing.join(', ')} are not indexes of ${tables.join(', ')}`);
    return dropped;
  });
}

/** Builds the indexes `createShadowTables` left out, as the live tables have them (the same names and definitions). */
export async function buildDeferredIndexes(db: Kysely<Database>, indexes: readonly DeferredIndex[]): Promise<void> {
  for (const index of indexes) await sql.raw(index.def).execute(db);
}

/**
 * Fresh statistics for the growing shadow tables: created empty, they would keep the planner on
 * sequential scans (the recents' join grows with the table) until autovacuum happens to look.
 */
export async function analyzeShadowTables(db: Kysely<Database>, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql`ANALYZE ${sql.id(SHADOW_SCHEMA, table)}`.execute(db);
}

export async function dropShadowTables(db: Kysely<Database>, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql`DROP TABLE IF EXISTS ${sql.id(SHADOW_SCHEMA, table)}`.execute(db);
}

/**
 * Inside `trx`, unqualified names (kysely's and raw sql's) resolve to the shadow tables first;
 * tables the projection does not own exist only in public and resolve there. Ends with the transaction.
 */
export async function useShadowTables(trx: Transaction<Database>): Promise<void> {
  await sql`SET LOCAL search_path TO ${sql.id(SHADOW_SCHEMA)}, public`.execute(trx);
}

/** Readers wait here (ACCESS EXCLUSIVE) until the swap commits: they see the old tables or the new ones, never an empty one. */
export async function lockLiveTables(trx: Transaction<Database>, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await sql`LOCK TABLE ${sql.join(tables.map((t) => sql.id('public', t)))} IN ACCESS EXCLUSIVE MODE`.execute(trx);
}

/** Drops each live table and moves its shadow into public: names, indexes and constraints as the migrations made them. */
export async function swapInShadowTables(trx: Transaction<Database>, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await sql`DROP TABLE ${sql.id('public', table)}`.execute(trx);
    await sql`ALTER TABLE ${sql.id(SHADOW_SCHEMA, table)} SET SCHEMA public`.execute(trx);
  }
}
