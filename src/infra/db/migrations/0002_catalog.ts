import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('private_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('spki_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ca_certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha1', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('spki_sha256', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('is_self_signed', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ca_chains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ca_certificate_ids', 'jsonb', (c) => c.notNull())
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('unique_fqdn_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain_names', 'jsonb', (c) => c.notNull())
    .addColumn('domain_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain_name', 'text', (c) => c.notNull().unique())
    .addColumn('certificate_latest_single_id', 'text')
    .addColumn('certificate_latest_multi_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('unique_fqdn_set_domains')
    .addColumn('unique_fqdn_set_id', 'text', (c) => c.notNull())
    .addColumn('domain_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unique_fqdn_set_domains_pk', ['unique_fqdn_set_id', 'domain_id'])
    .execute();
  await db.schema.createIndex('unique_fqdn_set_domains_domain_idx').on('unique_fqdn_set_domains').column('domain_id').execute();

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha1', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('spki_sha256', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('key_technology', 'text', (c) => c.notNull())
    .addColumn('private_key_id', 'text', (c) => c.notNull())
    .addColumn('unique_fqdn_set_id', 'text', (c) => c.notNull())
    .addColumn('domain_count', 'integer', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull())
    .addColumn('is_expired', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('certificates_fqdn_set_idx').on('certificates').columns(['unique_fqdn_set_id', 'not_after']).execute();
  await db.schema.createIndex('certificates_not_after_idx').on('certificates').column('not_after').execute();

  await db.schema
    .createTable('certificate_chains')
    .addColumn('certificate_id', 'text', (c) => c.notNull())
    .addColumn('ca_chain_id', 'text', (c) => c.notNull())
    .addColumn('is_default', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('certificate_chains_pk', ['certificate_id', 'ca_chain_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['certificate_chains', 'certificates', 'unique_fqdn_set_domains', 'domains', 'unique_fqdn_sets', 'ca_chains', 'ca_certificates', 'private_keys']) {
    await db.schema.dropTable(table).execute();
  }
}
