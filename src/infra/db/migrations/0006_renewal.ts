import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('renewal_configurations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('acme_account_id', 'text', (c) => c.notNull())
    .addColumn('unique_fqdn_set_id', 'text', (c) => c.notNull())
    .addColumn('domain_names', 'jsonb', (c) => c.notNull())
    .addColumn('identifiers', 'jsonb', (c) => c.notNull())
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('key_policy', 'text', (c) => c.notNull())
    .addColumn('acme_profile', 'text')
    .addColumn('is_auto_renew', 'boolean', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull())
    .addColumn('backup_acme_account_id', 'text')
    .addColumn('backup_key_technology', 'text')
    .addColumn('backup_key_policy', 'text')
    .addColumn('backup_acme_profile', 'text')
    .addColumn('replaces_configuration_id', 'text')
    .addColumn('replaced_by_configuration_id', 'text')
    .addColumn('latest_certificate_id', 'text')
    .addColumn('latest_not_before', 'timestamptz')
    .addColumn('latest_not_after', 'timestamptz')
    .addColumn('renew_at', 'timestamptz')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('primary_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt_id', 'text')
    .addColumn('attempt_started_at', 'timestamptz')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_failure', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The run's candidate scan: active auto-renew configurations by due time.
  await db.schema.createIndex('renewal_configurations_due_idx').on('renewal_configurations').columns(['renew_at']).where(sql.ref('is_active'), '=', true).execute();
  await db.schema.createIndex('renewal_configurations_fqdn_set_idx').on('renewal_configurations').column('unique_fqdn_set_id').execute();

  await db.schema
    .createTable('system_policies')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('acme_account_id', 'text', (c) => c.notNull())
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('key_policy', 'text', (c) => c.notNull())
    .addColumn('acme_profile', 'text')
    .addColumn('backup_acme_account_id', 'text')
    .addColumn('backup_key_technology', 'text')
    .addColumn('backup_key_policy', 'text')
    .addColumn('backup_acme_profile', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('certificate_lineage')
    .addColumn('certificate_id', 'text', (c) => c.primaryKey())
    .addColumn('replaces_certificate_id', 'text')
    .addColumn('replaced_by_certificate_id', 'text')
    .addColumn('renewal_configuration_id', 'text')
    .addColumn('acme_order_id', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('renewal_queue')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('renewal_configuration_id', 'text', (c) => c.notNull())
    /** queued | processed | failed | cancelled */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('acme_order_id', 'text')
    .addColumn('certificate_id', 'text')
    .addColumn('failure', 'text')
    .execute();
  await db.schema.createIndex('renewal_queue_status_idx').on('renewal_queue').columns(['status', 'queued_at']).execute();
}
