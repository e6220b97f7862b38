import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// RFC 9773 renewal information per certificate (projection `renewal`, ari.handlers.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ari_renewal_info')
    .addColumn('certificate_id', 'text', (c) => c.primaryKey())
    .addColumn('acme_server_id', 'text', (c) => c.notNull())
    .addColumn('ari_identifier', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('chosen_renewal_time', 'timestamptz')
    .addColumn('explanation_url', 'text')
    .addColumn('next_poll_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_retry_after', 'integer')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure', 'jsonb')
    .addColumn('fetched_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The poller asks "whose next poll has come", the renewal run "whose chosen time has come".
  await db.schema.createIndex('ari_renewal_info_next_poll_at_idx').on('ari_renewal_info').column('next_poll_at').execute();
  await db.schema.createIndex('ari_renewal_info_chosen_renewal_time_idx').on('ari_renewal_info').column('chosen_renewal_time').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ari_renewal_info').execute();
}
