import type { Kysely } from 'kysely';
import { ariStreamName } from '../../domain/ari/events.js';
import { acmeOrderStreams, expiryAlertStreams, streams } from '../../domain/shared/ids.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { listEvents, type EventPage } from './audit.js';
import { siteFields, sitesOf } from './certificate-list.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isId = (value: string): boolean => UUID.test(value);

export type CertificateRecord = {
  id: string;
  pem: string;
  privateKeyId: string;
  chain: { id: string; pem: string } | null;
};

/**
 * A certificate with the chain it is served with: the selected one (the preference policy's pick,
 * else the CA's default; the catalog keeps exactly one selected), or `caChainId` when the caller
 * asks for one of its alternates (null when the certificate is not linked to that chain).
 */
export async function findCertificateRecord(
  db: Kysely<Database>,
  certificateId: string,
  options: { caChainId?: string } = {},
): Promise<CertificateRecord | null> {
  if (!isId(certificateId)) return null;
  const { caChainId } = options;
  if (caChainId !== undefined && !isId(caChainId)) return null;
  const row = await db
    .selectFrom('certificates as c')
    .leftJoin('certificate_chains as cc', (j) => {
      const link = j.onRef('cc.certificate_id', '=', 'c.id');
      return caChainId === undefined ? link.on('cc.is_selected', '=', true) : link.on('cc.ca_chain_id', '=', caChainId);
    })
    .leftJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
    .select(['c.id', 'c.pem', 'c.private_key_id', 'ch.id as chain_id', 'ch.pem as chain_pem'])
    .where('c.id', '=', certificateId)
    .executeTakeFirst();
  if (!row || (caChainId !== undefined && !row.chain_id)) return null;
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
    .select(['ca_chain_id', 'is_default', 'is_selected'])
    .where('certificate_id', '=', certificateId)
    .orderBy('is_selected', 'desc')
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .orderBy('ca_chain_id')
    .execute();
  const fqdnSet = await db.selectFrom('unique_fqdn_sets').select('domain_names').where('id', '=', row.unique_fqdn_set_id).executeTakeFirst();
  const sites = (await sitesOf(db, [certificateId])).get(certificateId) ?? [];
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
    is_revoked: row.is_revoked,
    deactivation_reason: row.deactivation_reason,
    ca_chains: chains.map((c) => ({ id: c.ca_chain_id, is_default: c.is_default, is_selected: c.is_selected })),
    ...siteFields(sites),
    created_at: row.created_at.toISOString(),
  };
}

/** The certificate's names with the id of each name's domain (every name has one: importing records it). */
export async function certificateDomains(db: Kysely<Database>, certificateId: string): Promise<{ id: string; domain_name: string }[]> {
  if (!isId(certificateId)) return [];
  return db.selectFrom('certificates as c')
    .innerJoin('unique_fqdn_set_domains as fd', 'fd.unique_fqdn_set_id', 'c.unique_fqdn_set_id')
    .innerJoin('domains as d', 'd.id', 'fd.domain_id')
    .select(['d.id', 'd.domain_name'])
    .where('c.id', '=', certificateId)
    .orderBy('d.domain_name')
    .execute();
}

/**
 * Streams named after a certificate (its own, its ARI polls, its expiry alerts, a revocation of
 * it at the CA) and its private key's, whose compromise or shredding takes it out of service.
 */
export const certificateStreams = (certificateId: string, privateKeyId: string): string[] => [
  streams.certificate(certificateId),
  ariStreamName(certificateId),
  expiryAlertStreams.expiryAlert(certificateId),
  acmeOrderStreams.acmeRevocation(certificateId),
  streams.privateKey(privateKeyId),
];

/** Those streams' events from the audit index, oldest first, a page of `limit`. */
export async function certificateHistory(
  deps: { db: Kysely<Database>; store: EventStore }, certificateId: string, privateKeyId: string, limit: number,
): Promise<EventPage> {
  return listEvents(deps, { streams: certificateStreams(certificateId, privateKeyId) }, limit);
}

export type DomainRecord = {
  id: string;
  domainName: string;
  latestSingleId: string | null;
  latestMultiId: string | null;
  isActive: boolean;
};

export async function findDomain(db: Kysely<Database>, nameOrId: string): Promise<DomainRecord | null> {
  const row = await db
    .selectFrom('domains')
    .select(['id', 'domain_name', 'certificate_latest_single_id', 'certificate_latest_multi_id', 'is_active'])
    .where(isId(nameOrId) ? 'id' : 'domain_name', '=', isId(nameOrId) ? nameOrId.toLowerCase() : nameOrId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    domainName: row.domain_name,
    latestSingleId: row.certificate_latest_single_id,
    latestMultiId: row.certificate_latest_multi_id,
    isActive: row.is_active,
  };
}

/** A CA certificate as the native API shows it. */
export async function findCaCertificate(db: Kysely<Database>, caCertificateId: string) {
  if (!isId(caCertificateId)) return null;
  const row = await db.selectFrom('ca_certificates').selectAll().where('id', '=', caCertificateId).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    subject: row.subject,
    issuer: row.issuer,
    serial: row.serial,
    not_before: row.not_before.toISOString(),
    not_after: row.not_after.toISOString(),
    fingerprint_sha1: row.fingerprint_sha1,
    fingerprint_sha256: row.fingerprint_sha256,
    spki_sha256: row.spki_sha256,
    is_self_signed: row.is_self_signed,
    subject_key_id: row.subject_key_id,
    authority_key_id: row.authority_key_id,
    aia_ca_issuers_urls: row.aia_ca_issuers_urls,
    issuer_ca_certificate_id: row.issuer_ca_certificate_id,
    source: row.source,
    source_url: row.source_url,
    created_at: row.created_at.toISOString(),
    pem: row.pem,
  };
}

/** A chain with its CA certificates in order (issuer of the leaf first). */
export async function findCaChain(db: Kysely<Database>, caChainId: string) {
  if (!isId(caChainId)) return null;
  const row = await db.selectFrom('ca_chains').selectAll().where('id', '=', caChainId).executeTakeFirst();
  if (!row) return null;
  const ids = row.ca_certificate_ids;
  const members = ids.length === 0 ? [] : await db
    .selectFrom('ca_certificates')
    .select(['id', 'subject', 'issuer', 'fingerprint_sha1', 'not_after', 'is_self_signed'])
    .where('id', 'in', ids)
    .execute();
  const byId = new Map(members.map((m) => [m.id, m]));
  return {
    id: row.id,
    ca_certificate_ids: ids,
    ca_certificates: ids.flatMap((id) => {
      const m = byId.get(id);
      return m ? [{ id, subject: m.subject, issuer: m.issuer, fingerprint_sha1: m.fingerprint_sha1, not_after: m.not_after.toISOString(), is_self_signed: m.is_self_signed }] : [];
    }),
    created_at: row.created_at.toISOString(),
    pem: row.pem,
  };
}

/** The chain preference policy as the catalog holds it, with the CA certificate each entry names. */
export async function listChainPreferences(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('chain_preferences as p')
    .leftJoin('ca_certificates as ca', 'ca.fingerprint_sha1', 'p.fingerprint_sha1')
    .select(['p.position', 'p.fingerprint_sha1', 'ca.id as ca_certificate_id', 'ca.subject'])
    .orderBy('p.position')
    .orderBy('ca.id')
    .execute();
  // Two CA certificates may share a SHA-1 only by a collision; the first one stands for the entry.
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.position) && seen.add(r.position)).map((r) => ({
    slot: r.position,
    fingerprint_sha1: r.fingerprint_sha1,
    ca_certificate: r.ca_certificate_id ? { id: r.ca_certificate_id, subject: r.subject } : null,
  }));
}
