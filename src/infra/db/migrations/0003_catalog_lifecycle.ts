import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('certificates')
    .addColumn('is_revoked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('deactivation_reason', 'text')
    .addColumn('status_changed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('certificates_private_key_idx').on('certificates').column('private_key_id').execute();
  await db.schema.createIndex('certificates_spki_idx').on('certificates').column('spki_sha256').execute();
  await db.schema.createIndex('certificates_serial_idx').on('certificates').column('serial').execute();

  await db.schema
    .alterTable('certificate_chains')
    .addColumn('is_selected', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`update certificate_chains set is_selected = is_default`.execute(db);

  await db.schema
    .alterTable('domains')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  await db.schema
    .alterTable('private_keys')
    .addColumn('is_compromised', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('compromised_reason', 'text')
    .addColumn('compromised_at', 'timestamptz')
    .execute();

  await db.schema
    .alterTable('ca_certificates')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('upload'))
    .addColumn('source_url', 'text')
    .addColumn('aia_ca_issuers_urls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('issuer_ca_certificate_id', 'text')
    .addColumn('subject_key_id', 'text')
    .addColumn('authority_key_id', 'text')
    .execute();
  await db.schema.createIndex('ca_certificates_fingerprint_sha1_idx').on('ca_certificates').column('fingerprint_sha1').execute();

  await db.schema
    .createTable('chain_preferences')
    .addColumn('position', 'integer', (c) => c.primaryKey())
    .addColumn('fingerprint_sha1', 'text', (c) => c.notNull().unique())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chain_preferences').execute();
  await db.schema.dropIndex('ca_certificates_fingerprint_sha1_idx').execute();
  for (const column of ['authority_key_id', 'subject_key_id', 'issuer_ca_certificate_id', 'aia_ca_issuers_urls', 'source_url', 'source']) {
    await db.schema.alterTable('ca_certificates').dropColumn(column).execute();
  }
  for (const column of ['compromised_at', 'compromised_reason', 'is_compromised']) {
    await db.schema.alterTable('private_keys').dropColumn(column).execute();
  }
  await db.schema.alterTable('domains').dropColumn('is_active').execute();
  await db.schema.alterTable('certificate_chains').dropColumn('is_selected').execute();
  for (const index of ['certificates_serial_idx', 'certificates_spki_idx', 'certificates_private_key_idx']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of ['status_changed_at', 'deactivation_reason', 'is_revoked']) {
    await db.schema.alterTable('certificates').dropColumn(column).execute();
  }
}
