import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** A certificate's lifecycle flags, as a mark answers them. */
export async function certificateLifecycle(db: Kysely<Database>, certificateId: string) {
  const row = await db
    .selectFrom('certificates as c')
    .innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id')
    .innerJoin('private_keys as k', 'k.id', 'c.private_key_id')
    .select([
      'c.id', 'c.pem', 's.domain_names', 'c.unique_fqdn_set_id', 'c.not_before', 'c.not_after', 'c.is_active', 'c.is_revoked',
      'c.is_expired', 'c.deactivation_reason', 'c.status_changed_at', 'c.private_key_id', 'k.is_compromised',
    ])
    .where('c.id', '=', certificateId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    pem: row.pem,
    domain_names: row.domain_names,
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    not_before: row.not_before.toISOString(),
    not_after: row.not_after.toISOString(),
    is_active: row.is_active,
    is_revoked: row.is_revoked,
    is_expired: row.is_expired,
    deactivation_reason: row.deactivation_reason,
    status_changed_at: iso(row.status_changed_at),
    private_key_id: row.private_key_id,
    private_key_is_compromised: row.is_compromised,
  };
}

export type CertificateLifecycle = NonNullable<Awaited<ReturnType<typeof certificateLifecycle>>>;

/** Domains with their activity and their recents (after a mark, what nginx now gets for each). */
export async function domainLifecycles(db: Kysely<Database>, domainIds: readonly string[]) {
  if (domainIds.length === 0) return [];
  return db
    .selectFrom('domains')
    .select(['id', 'domain_name', 'is_active', 'certificate_latest_single_id', 'certificate_latest_multi_id'])
    .where('id', 'in', [...domainIds])
    .orderBy('domain_name')
    .execute();
}

export type DomainLifecycle = Awaited<ReturnType<typeof domainLifecycles>>[number];

/**
 * A private key's public facts and every certificate using it. `needs_replacement` is derived here
 * from the key's flag, never copied onto certificates: one source, and a certificate imported later
 * on the same key is listed as well.
 */
export async function privateKeyWithCertificates(db: Kysely<Database>, privateKeyId: string) {
  const key = await db.selectFrom('private_keys').selectAll().where('id', '=', privateKeyId).executeTakeFirst();
  if (!key) return null;
  // The vault is the truth on shredding (the key material is gone the moment it commits).
  const vault = await db.selectFrom('key_vault').select('shredded_at').where('private_key_id', '=', privateKeyId).executeTakeFirst();
  const certificates = await db
    .selectFrom('certificates as c')
    .innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id')
    .innerJoin('private_keys as k', 'k.id', 'c.private_key_id')
    .select(['c.id', 's.domain_names', 'c.not_after', 'c.is_active', 'c.is_revoked', 'k.is_compromised'])
    .where('c.private_key_id', '=', privateKeyId)
    .orderBy('c.not_after', 'desc')
    .orderBy('c.id')
    .execute();
  return {
    private_key: {
      id: key.id,
      key_technology: key.key_technology,
      spki_sha256: key.spki_sha256,
      source: key.source,
      created_at: key.created_at.toISOString(),
      is_compromised: key.is_compromised,
      compromised_reason: key.compromised_reason,
      compromised_at: iso(key.compromised_at),
      is_shredded: vault?.shredded_at != null,
      shredded_at: iso(vault?.shredded_at ?? null),
    },
    certificates: certificates.map((c) => ({
      id: c.id,
      domain_names: c.domain_names,
      not_after: c.not_after.toISOString(),
      is_active: c.is_active,
      is_revoked: c.is_revoked,
      needs_replacement: c.is_compromised,
    })),
  };
}

export type PrivateKeyView = NonNullable<Awaited<ReturnType<typeof privateKeyWithCertificates>>>;
