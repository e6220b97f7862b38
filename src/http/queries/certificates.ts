import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isId = (value: string): boolean => UUID.test(value);

export type CertificateRecord = {
  id: string;
  pem: string;
  privateKeyId: string;
  chain: { id: string; pem: string } | null;
};

export async function findCertificateRecord(db: Kysely<Database>, certificateId: string): Promise<CertificateRecord | null> {
  if (!isId(certificateId)) return null;
  const row = await db
    .selectFrom('certificates as c')
    .leftJoin('certificate_chains as cc', (j) => j.onRef('cc.certificate_id', '=', 'c.id').on('cc.is_default', '=', true))
    .leftJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
    .select(['c.id', 'c.pem', 'c.private_key_id', 'ch.id as chain_id', 'ch.pem as chain_pem'])
    .where('c.id', '=', certificateId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    pem: row.pem,
    privateKeyId: row.private_key_id,
    chain: row.chain_id && row.chain_pem ? { id: row.chain_id, pem: row.chain_pem } : null,
  };
}

export async function findCertificateSummary(db: Kysely<Database>, certificateId: string) {
  if (!isId(certificateId)) return null;
  const row = await db.selectFrom('certificates').selectAll().where('id', '=', certificateId).executeTakeFirst();
  if (!row) return null;
  const chains = await db
    .selectFrom('certificate_chains')
    .select(['ca_chain_id', 'is_default'])
    .where('certificate_id', '=', certificateId)
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .execute();
  const fqdnSet = await db.selectFrom('unique_fqdn_sets').select('domain_names').where('id', '=', row.unique_fqdn_set_id).executeTakeFirst();
  return {
    id: row.id,
    domain_names: fqdnSet?.domain_names ?? [],
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    not_before: row.not_before.toISOString(),
    not_after: row.not_after.toISOString(),
    serial: row.serial,
    subject: row.subject,
    issuer: row.issuer,
    fingerprint_sha1: row.fingerprint_sha1,
    fingerprint_sha256: row.fingerprint_sha256,
    spki_sha256: row.spki_sha256,
    key_technology: row.key_technology,
    private_key_id: row.private_key_id,
    is_active: row.is_active,
    is_expired: row.is_expired,
    ca_chains: chains.map((c) => ({ id: c.ca_chain_id, is_default: c.is_default })),
    created_at: row.created_at.toISOString(),
  };
}

export type DomainRecord = {
  id: string;
  domainName: string;
  latestSingleId: string | null;
  latestMultiId: string | null;
};

export async function findDomain(db: Kysely<Database>, nameOrId: string): Promise<DomainRecord | null> {
  const row = await db
    .selectFrom('domains')
    .select(['id', 'domain_name', 'certificate_latest_single_id', 'certificate_latest_multi_id'])
    .where(isId(nameOrId) ? 'id' : 'domain_name', '=', isId(nameOrId) ? nameOrId.toLowerCase() : nameOrId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    domainName: row.domain_name,
    latestSingleId: row.certificate_latest_single_id,
    latestMultiId: row.certificate_latest_multi_id,
  };
}
