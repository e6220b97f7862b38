import { sql, type Kysely, type Selectable } from 'kysely';
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

export async function listCaCertificates(db: Kysely<Database>, page: Page): Promise<Paged<ReturnType<typeof caCertificateItem>> & { rows: CaCertificateRow[] }> {
  const { rows, total } = await pageOf(db.selectFrom('ca_certificates').selectAll().orderBy('subject').orderBy('not_after').orderBy('id'), page);
  return { items: rows.map(caCertificateItem), rows, total, ...page };
}

const certificatesCount = sql<string>`(select count(*) from certificate_chains cc where cc.ca_chain_id = ca_chains.id)`;

/**
 * Chains, optionally only those whose first element (what signs the certificate, `position: 0`)
 * or last element (`position: 'last'`) is a given CA certificate.
 */
export async function listCaChains(
  db: Kysely<Database>,
  page: Page,
  at?: { caCertificateId: string; position: 0 | 'last' },
): Promise<Paged<ReturnType<typeof caChainItem>> & { rows: CaChainRow[] }> {
  let query = db.selectFrom('ca_chains').selectAll().select(certificatesCount.as('certificates_count'));
  if (at) {
    const index = at.position === 0 ? sql`0` : sql`jsonb_array_length(ca_certificate_ids) - 1`;
    query = query.where(sql<boolean>`ca_certificate_ids ->> (${index})::int = ${at.caCertificateId}`);
  }
  const { rows, total } = await pageOf(query.orderBy('created_at').orderBy('id'), page);
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
