import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { CaCertificatesTable, CaChainsTable, Database } from '../../infra/db/schema.js';
import { isId } from './certificates.js';
import { iso, pageOf, type Page, type Paged } from './lists.js';

export type CaCertificateRow = Selectable<CaCertificatesTable>;
export type CaChainRow = Selectable<CaChainsTable>;

/** Public facts of a CA certificate (its PEM only where one object is asked for). */
export function caCertificateItem(row: CaCertificateRow) {
  return {
    id: row.id,
    subject: row.subject,
    issuer: row.issuer,
    serial: row.serial,
    not_before: iso(row.not_before),
    not_after: iso(row.not_after),
    fingerprint_sha1: row.fingerprint_sha1,
    fingerprint_sha256: row.fingerprint_sha256,
    spki_sha256: row.spki_sha256,
    is_self_signed: row.is_self_signed,
    source: row.source,
    source_url: row.source_url,
    aia_ca_issuers_urls: row.aia_ca_issuers_urls,
    issuer_ca_certificate_id: row.issuer_ca_certificate_id,
    subject_key_id: row.subject_key_id,
    authority_key_id: row.authority_key_id,
    created_at: iso(row.created_at),
  };
}

export function caChainItem(row: CaChainRow & { certificates_count?: string | number | bigint }) {
  return {
    id: row.id,
    ca_certificate_ids: row.ca_certificate_ids,
    length: row.ca_certificate_ids.length,
    certificates_count: row.certificates_count === undefined ? undefined : Number(row.certificates_count),
    created_at: iso(row.created_at),
  };
}

export async function findCaCertificateRow(db: Kysely<Database>, id: string): Promise<CaCertificateRow | null> {
  if (!isId(id)) return null;
  return (await db.selectFrom('ca_certificates').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst()) ?? null;
}

export async function findCaChainRow(db: Kysely<Database>, id: string): Promise<CaChainRow | null> {
  if (!isId(id)) return null;
  return (await db.selectFrom('ca_chains').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst()) ?? null;
}

export type SortDirection = 'asc' | 'desc';
export const CA_CERTIFICATE_SORTS = ['subject', 'issuer', 'not_before', 'not_after', 'created_at'] as const;
/** A search (in subject, issuer or fingerprint) and a sort column; without them, the API's list. */
export type CaCertificateListOptions = { q?: string; sort?: (typeof CA_CERTIFICATE_SORTS)[number]; dir?: SortDirection };

const contains = (needle: string, column: RawBuilder<unknown>) => sql<boolean>`position(lower(${needle}) in lower(${column})) > 0`;

export async function listCaCertificates(
  db: Kysely<Database>,
  page: Page,
  options: CaCertificateListOptions = {},
): Promise<Paged<ReturnType<typeof caCertificateItem>> & { rows: CaCertificateRow[] }> {
  let query = db.selectFrom('ca_certificates').selectAll();
  if (options.q) {
    // Fingerprints are printed with colons by openssl; the stored form has none.
    const fingerprint = options.q.toLowerCase().replaceAll(':', '');
    query = query.where((eb) => eb.or([
      contains(options.q!, sql.ref('subject')), contains(options.q!, sql.ref('issuer')),
      sql<boolean>`starts_with(fingerprint_sha1, ${fingerprint})`, sql<boolean>`starts_with(fingerprint_sha256, ${fingerprint})`,
    ]));
  }
  const ordered = options.sort
    ? query.orderBy(options.sort, options.dir ?? 'asc').orderBy('id')
    : query.orderBy('subject').orderBy('not_after').orderBy('id');
  const { rows, total } = await pageOf(ordered, page);
  return { items: rows.map(caCertificateItem), rows, total, ...page };
}

/** How many certificates each CA certificate signs directly (it is first in one of their chains). */
export async function certificatesIssuedBy(db: Kysely<Database>, caCertificateIds: readonly string[]): Promise<Map<string, number>> {
  if (caCertificateIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('certificate_chains as cc')
    .innerJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
    .select([sql<string>`ch.ca_certificate_ids ->> 0`.as('ca_id'), sql<string>`count(distinct cc.certificate_id)`.as('n')])
    .where(sql<string>`ch.ca_certificate_ids ->> 0`, 'in', [...caCertificateIds])
    .groupBy(sql`ch.ca_certificate_ids ->> 0`)
    .execute();
  return new Map(rows.map((r) => [r.ca_id, Number(r.n)]));
}

const certificatesCount = sql<string>`(select count(*) from certificate_chains cc where cc.ca_chain_id = ca_chains.id)`;

export const CA_CHAIN_SORTS = ['created_at', 'length', 'certificates'] as const;
/** A search in the subjects of the chain's CA certificates and a sort column; without them, oldest first. */
export type CaChainListOptions = { q?: string; sort?: (typeof CA_CHAIN_SORTS)[number]; dir?: SortDirection };

const chainSortColumn = { created_at: sql`created_at`, length: sql`jsonb_array_length(ca_certificate_ids)`, certificates: certificatesCount } as const;

/**
 * Chains, optionally only those whose first element (what signs the certificate, `position: 0`)
 * or last element (`position: 'last'`) is a given CA certificate.
 */
export async function listCaChains(
  db: Kysely<Database>,
  page: Page,
  at?: { caCertificateId: string; position: 0 | 'last' },
  options: CaChainListOptions = {},
): Promise<Paged<ReturnType<typeof caChainItem>> & { rows: CaChainRow[] }> {
  let query = db.selectFrom('ca_chains').selectAll().select(certificatesCount.as('certificates_count'));
  if (at) {
    const index = at.position === 0 ? sql`0` : sql`jsonb_array_length(ca_certificate_ids) - 1`;
    query = query.where(sql<boolean>`ca_certificate_ids ->> (${index})::int = ${at.caCertificateId}`);
  }
  if (options.q) {
    query = query.where(sql<boolean>`exists (select 1 from ca_certificates ca
      where ca_chains.ca_certificate_ids @> jsonb_build_array(ca.id) and ${contains(options.q, sql.ref('ca.subject'))})`);
  }
  const ordered = options.sort
    ? query.orderBy(chainSortColumn[options.sort], options.dir ?? 'asc').orderBy('id')
    : query.orderBy('created_at').orderBy('id');
  const { rows, total } = await pageOf(ordered, page);
  return { items: rows.map(caChainItem), rows, total, ...page };
}

/** The CA certificates of chains, each in chain order (issuer of the leaf first), in one query. */
export async function caCertificatesOfChains(db: Kysely<Database>, chains: readonly CaChainRow[]): Promise<Map<string, CaCertificateRow[]>> {
  const ids = [...new Set(chains.flatMap((chain) => chain.ca_certificate_ids))];
  const rows = ids.length === 0 ? [] : await db.selectFrom('ca_certificates').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return new Map(chains.map((chain) => [chain.id, chain.ca_certificate_ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []))]));
}

export async function caCertificatesOf(db: Kysely<Database>, chain: CaChainRow): Promise<CaCertificateRow[]> {
  return (await caCertificatesOfChains(db, [chain])).get(chain.id) ?? [];
}

/**
 * What a CA certificate signs besides server certificates: the CA certificates it issued (recorded
 * issuer, same issuer DN, or the element before it in a chain) and every CA certificate whose chain
 * passes through it, plus the chains that hold it and where.
 */
export async function caSignatures(db: Kysely<Database>, ca: CaCertificateRow) {
  const chains = await db
    .selectFrom('ca_chains')
    .select(['id', 'ca_certificate_ids'])
    .where(sql<boolean>`ca_certificate_ids @> ${JSON.stringify([ca.id])}::jsonb`)
    .orderBy('id')
    .execute();
  const direct = new Set<string>();
  const viaChain = new Set<string>();
  for (const chain of chains) {
    const at = chain.ca_certificate_ids.indexOf(ca.id);
    chain.ca_certificate_ids.slice(0, at).forEach((id, index) => (index === at - 1 ? direct : viaChain).add(id));
  }
  const issued = await db
    .selectFrom('ca_certificates')
    .select('id')
    .where('id', '!=', ca.id)
    .where((eb) => eb.or([eb('issuer_ca_certificate_id', '=', ca.id), sql<boolean>`lower(issuer) = ${ca.subject.toLowerCase()}`]))
    .execute();
  issued.forEach((row) => direct.add(row.id));
  const ids = [...new Set([...direct, ...viaChain])];
  const rows = ids.length === 0 ? [] : await db.selectFrom('ca_certificates').selectAll().where('id', 'in', ids).orderBy('subject').orderBy('id').execute();
  return {
    ca_certificates: rows.map((row) => ({ ...caCertificateItem(row), directly: direct.has(row.id) })),
    ca_chains: chains.map((chain) => ({ id: chain.id, position: chain.ca_certificate_ids.indexOf(ca.id), length: chain.ca_certificate_ids.length })),
  };
}

const chainsOfCertificate = sql<string>`(select count(*) from certificate_chains o where o.certificate_id = cc.certificate_id)`;

/**
 * What the preference policy decides: each certificate linked to more than one chain, the chain
 * it serves now (the policy's pick, else the CA's default) and that chain's top CA certificate.
 */
export async function listChainSelections(db: Kysely<Database>, page: Page) {
  const query = db
    .selectFrom('certificate_chains as cc')
    .innerJoin('certificates as c', 'c.id', 'cc.certificate_id')
    .innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id')
    .innerJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
    .leftJoin('ca_certificates as top', (j) => j.on(sql<boolean>`top.id = ch.ca_certificate_ids ->> (jsonb_array_length(ch.ca_certificate_ids) - 1)`))
    .where('cc.is_selected', '=', true)
    .where(sql<boolean>`${chainsOfCertificate} > 1`)
    .select(['c.id as certificate_id', 's.domain_names', 'cc.ca_chain_id', 'cc.is_default', 'top.id as top_id', 'top.subject as top_subject', 'top.fingerprint_sha1 as top_fingerprint_sha1', chainsOfCertificate.as('chains_count')])
    .orderBy('c.not_after')
    .orderBy('c.id');
  const { rows, total } = await pageOf(query, page);
  const items = rows.map((r) => ({
    certificate_id: r.certificate_id,
    domain_names: r.domain_names,
    ca_chain_id: r.ca_chain_id,
    is_default: r.is_default,
    chains_count: Number(r.chains_count),
    top_ca_certificate: r.top_id ? { id: r.top_id, subject: r.top_subject ?? '', fingerprint_sha1: r.top_fingerprint_sha1 ?? '' } : null,
  }));
  return { items, total, ...page };
}

/** How many chains each CA certificate tops: only a chain's top counts for the preference policy. */
export async function chainsToppedBy(db: Kysely<Database>): Promise<Map<string, number>> {
  const top = sql<string>`ca_certificate_ids ->> (jsonb_array_length(ca_certificate_ids) - 1)`;
  const rows = await db.selectFrom('ca_chains').select([top.as('ca_id'), sql<string>`count(*)`.as('n')]).groupBy(top).execute();
  return new Map(rows.map((r) => [r.ca_id, Number(r.n)]));
}
