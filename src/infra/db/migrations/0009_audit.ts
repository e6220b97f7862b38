import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// The audit projection (src/projections/audit.projection.ts): an index of the event log (no data:
// bodies stay in the store) and which domains and ACME orders each event touched.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('position', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('stream_name', 'text', (c) => c.notNull())
    .addColumn('stream_revision', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_stream_idx').on('audit_events').columns(['stream_name', 'position']).execute();
  await db.schema.createIndex('audit_events_type_idx').on('audit_events').columns(['event_type', 'position']).execute();
  await db.schema.createIndex('audit_events_created_idx').on('audit_events').columns(['created_at', 'position']).execute();

  await db.schema
    .createTable('audit_refs')
    .addColumn('ref_kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_refs_pk', ['ref_kind', 'ref', 'position'])
    .execute();

  // What an id-only event (a mark, a download) resolves to: the names and order of a certificate,
  // an order, a name set, a renewal configuration or a private key, learnt from earlier events.
  await db.schema
    .createTable('audit_subjects')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('domain_names', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('order_id', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_subjects').execute();
  await db.schema.dropTable('audit_refs').execute();
  await db.schema.dropTable('audit_events').execute();
}
