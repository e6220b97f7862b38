import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('acme_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('acme_account_id', 'text', (c) => c.notNull())
    .addColumn('acme_server_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('processing', 'text', (c) => c.notNull())
    .addColumn('identifiers', 'jsonb', (c) => c.notNull())
    .addColumn('domain_names', 'jsonb', (c) => c.notNull())
    .addColumn('unique_fqdn_set_id', 'text', (c) => c.notNull())
    .addColumn('key_policy', 'text', (c) => c.notNull())
    .addColumn('key_policy_final', 'text')
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('deactivate_on_failure', 'boolean', (c) => c.notNull())
    .addColumn('order_url', 'text')
    .addColumn('finalize_url', 'text')
    .addColumn('certificate_url', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('error', 'jsonb')
    .addColumn('last_failure', 'jsonb')
    .addColumn('private_key_id', 'text')
    .addColumn('csr_id', 'text')
    .addColumn('csr_pem', 'text')
    .addColumn('certificate_id', 'text')
    .addColumn('is_marked_invalid', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('marked_invalid_reason', 'text')
    .addColumn('retry_of', 'text')
    .addColumn('retried_by', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('rate_limited_until', 'timestamptz')
    .addColumn('is_revoked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('finalized_at', 'timestamptz')
    .addColumn('certificate_downloaded_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('acme_orders_account_idx').on('acme_orders').columns(['acme_account_id', 'created_at']).execute();
  await db.schema.createIndex('acme_orders_status_idx').on('acme_orders').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('acme_orders_certificate_idx').on('acme_orders').column('certificate_id').execute();
  await db.schema.createIndex('acme_orders_csr_idx').on('acme_orders').column('csr_id').execute();

  await db.schema
    .createTable('acme_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull().unique())
    .addColumn('acme_order_id', 'text', (c) => c.notNull())
    .addColumn('identifier_type', 'text', (c) => c.notNull())
    .addColumn('identifier_value', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('is_wildcard', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('acme_order_authorizations')
    .addColumn('acme_order_id', 'text', (c) => c.notNull())
    .addColumn('acme_authorization_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('acme_order_authorizations_pk', ['acme_order_id', 'acme_authorization_id'])
    .execute();

  await db.schema
    .createTable('acme_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('acme_authorization_id', 'text', (c) => c.notNull())
    .addColumn('acme_order_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('key_authorization', 'text')
    .addColumn('error', 'jsonb')
    .addColumn('validated_at', 'timestamptz')
    .addColumn('triggered_at', 'timestamptz')
    .addColumn('poll_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_polled_at', 'timestamptz')
    .addColumn('last_poll_remote_address', 'text')
    .addColumn('dns_provider', 'text')
    .addColumn('dns_record_name', 'text')
    .addColumn('dns_value', 'text')
    .addColumn('dns_record_state', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_position', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // The public http-01 route looks challenges up by token.
  await db.schema.createIndex('acme_challenges_token_idx').on('acme_challenges').column('token').execute();
  await db.schema.createIndex('acme_challenges_authorization_idx').on('acme_challenges').column('acme_authorization_id').execute();

  await db.schema
    .createTable('acme_rate_limits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('acme_server_id', 'text', (c) => c.notNull())
    .addColumn('acme_account_id', 'text', (c) => c.notNull())
    .addColumn('unique_fqdn_set_id', 'text', (c) => c.notNull())
    .addColumn('acme_order_id', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('problem', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('acme_rate_limits_scope_idx')
    .on('acme_rate_limits')
    .columns(['acme_server_id', 'acme_account_id', 'unique_fqdn_set_id', 'not_before'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['acme_rate_limits', 'acme_challenges', 'acme_order_authorizations', 'acme_authorizations', 'acme_orders']) {
    await db.schema.dropTable(table).execute();
  }
}
