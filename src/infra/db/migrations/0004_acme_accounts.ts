import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('acme_servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('directory_url', 'text', (c) => c.notNull().unique())
    .addColumn('ca_bundle_pem', 'text')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('directory', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('directory_sha256', 'text')
    .addColumn('external_account_required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('terms_of_service', 'text')
    .addColumn('directory_fetched_at', 'timestamptz')
    .addColumn('directory_changed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure', 'jsonb')
    .addColumn('last_failure_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('acme_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('acme_server_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('account_url', 'text')
    .addColumn('contact', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('key_jwk_thumbprint', 'text', (c) => c.notNull())
    .addColumn('key_spki_sha256', 'text', (c) => c.notNull())
    .addColumn('key_source', 'text', (c) => c.notNull())
    .addColumn('retired_key_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('key_rolled_over_at', 'timestamptz')
    .addColumn('order_default_private_key_technology', 'text', (c) => c.notNull())
    .addColumn('order_default_private_key_cycle', 'text', (c) => c.notNull())
    .addColumn('eab_key_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('last_check_result', 'text')
    .addColumn('last_checked_at', 'timestamptz')
    .addColumn('last_problem_operation', 'text')
    .addColumn('last_problem', 'jsonb')
    .addColumn('last_problem_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('acme_accounts_server_idx').on('acme_accounts').column('acme_server_id').execute();
  await db.schema.createIndex('acme_accounts_key_spki_idx').on('acme_accounts').column('key_spki_sha256').execute();
  await db.schema.createIndex('acme_accounts_thumbprint_idx').on('acme_accounts').column('key_jwk_thumbprint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('acme_accounts').execute();
  await db.schema.dropTable('acme_servers').execute();
}
