import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Rebuilds beside the live tables (src/projections/rebuild): the schema that holds the shadow
// tables, and one row per running rebuild so two processes never build the same shadow tables.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS certledger_rebuild`.execute(db);
  await db.schema
    .createTable('projection_rebuilds')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    // A run that stops beating (a crashed process) may be taken over.
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('projection_rebuilds').execute();
  await sql`DROP SCHEMA IF EXISTS certledger_rebuild CASCADE`.execute(db);
}
