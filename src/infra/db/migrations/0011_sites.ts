import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// The sites projection (src/projections/sites.projection.ts): one row per site (names, wish, what
// it serves) and one row per certificate a site serves or keeps stashed (ids and expiry only).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('site_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('host_names', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('wish', 'jsonb', (c) => c.notNull())
    .addColumn('current_kind', 'text', (c) => c.notNull())
    .addColumn('current_certificate_id', 'text')
    .addColumn('current_not_after', 'timestamptz')
    .addColumn('stash', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('pending_attempt_id', 'text')
    .addColumn('pending_started_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('site_certificates')
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz')
    .addPrimaryKeyConstraint('site_certificates_pk', ['site_id', 'certificate_id'])
    .execute();
  await db.schema.createIndex('site_certificates_certificate_idx').on('site_certificates').column('certificate_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('site_certificates').execute();
  await db.schema.dropTable('sites').execute();
}
