import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { iso, isoOrNull, pageOf, type Page, type Paged } from './lists.js';

const DAY_MS = 86_400_000;

/** Filters of the certificate lists, combined with AND; each is optional. */
export type CertificateFilters = {
  active?: boolean;
  expired?: boolean;
  revoked?: boolean;
  /** not_after in (now, now + N days]: still valid, gone within N days. */
  expiring_within_days?: number;
  unique_fqdn_set_id?: string;
  private_key_id?: string;
  /** Signed by it: one of the certificate's chains holds it, or the issuer DN is its subject. */
  ca_certificate_id?: string;
  ca_chain_id?: string;
  serial?: string;
  spki_sha256?: string;
  issuer?: string;
  issuer_match?: 'contains' | 'exact';
  /** Names this domain among its names (normalised). */
  domain?: string;
  /** Names exactly one domain (true) or several (false): peter_sslers' single/multi facets. */
  single_domain?: boolean;
  /** Kept stashed by a site (not served, not renewed) — or not. */
  stashed?: boolean;
  /** One of its names contains this (case-insensitive): the dashboard's search box. */
  name_contains?: string;
};

/** Columns a list may sort by (the API's own order is soonest expiry first). */
export const CERTIFICATE_SORTS = { expires: 'not_after', issued: 'not_before', names: 'first_name' } as const;
export type CertificateSort = { by: keyof typeof CERTIFICATE_SORTS; dir: 'asc' | 'desc' };

export type ChainLink = { id: string; is_default: boolean; is_selected: boolean };

export type CertificateListItem = ReturnType<typeof certificateItem>;

function filtered(db: Kysely<Database>, f: CertificateFilters, now: Date) {
  let q = db.selectFrom('certificates as c').innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id');
  if (f.active !== undefined) q = q.where('c.is_active', '=', f.active);
  if (f.revoked !== undefined) q = q.where('c.is_revoked', '=', f.revoked);
  if (f.expired !== undefined) q = q.where('c.not_after', f.expired ? '<=' : '>', now);
  if (f.expiring_within_days !== undefined) {
    q = q.where('c.not_after', '>', now).where('c.not_after', '<=', new Date(now.getTime() + f.expiring_within_days * DAY_MS));
  }
  if (f.unique_fqdn_set_id) q = q.where('c.unique_fqdn_set_id', '=', f.unique_fqdn_set_id);
  if (f.private_key_id) q = q.where('c.private_key_id', '=', f.private_key_id);
  if (f.serial) q = q.where('c.serial', '=', f.serial);
  if (f.spki_sha256) q = q.where('c.spki_sha256', '=', f.spki_sha256);
  if (f.issuer) {
    const issuer = f.issuer;
    q = q.where(f.issuer_match === 'exact' ? sql<boolean>`lower(c.issuer) = lower(${issuer})` : sql<boolean>`position(lower(${issuer}) in lower(c.issuer)) > 0`);
  }
  if (f.domain) {
    const domain = f.domain;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('unique_fqdn_set_domains as fd')
          .innerJoin('domains as d', 'd.id', 'fd.domain_id')
          .select(sql`1`.as('one'))
          .whereRef('fd.unique_fqdn_set_id', '=', 'c.unique_fqdn_set_id')
          .where('d.domain_name', '=', domain),
      ),
    );
  }
  if (f.name_contains) {
    // position(), not LIKE: a typed % or _ is a character to find, not a wildcard.
    const needle = f.name_contains.toLowerCase();
    q = q.where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(s.domain_names) as n(name) where position(${needle} in n.name) > 0)`);
  }
  if (f.single_domain !== undefined) q = q.where('c.domain_count', f.single_domain ? '=' : '>', 1);
  if (f.stashed !== undefined) {
    const stashed = sql<boolean>`exists (select 1 from site_certificates sc where sc.certificate_id = c.id and sc.role = 'stashed')`;
    q = q.where(f.stashed ? stashed : sql<boolean>`not ${stashed}`);
  }
  if (f.ca_chain_id) {
    const chainId = f.ca_chain_id;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('certificate_chains as cc').select(sql`1`.as('one')).whereRef('cc.certificate_id', '=', 'c.id').where('cc.ca_chain_id', '=', chainId)),
    );
  }
  if (f.ca_certificate_id) {
    const contains = JSON.stringify([f.ca_certificate_id]);
    q = q.where(sql<boolean>`(
      exists (select 1 from certificate_chains cc join ca_chains ch on ch.id = cc.ca_chain_id
               where cc.certificate_id = c.id and ch.ca_certificate_ids @> ${contains}::jsonb)
      or lower(c.issuer) = (select lower(ca.subject) from ca_certificates ca where ca.id = ${f.ca_certificate_id}))`);
  }
  return q;
}

/** Certificates matching the filters, soonest expiry first (or by `sort`), each with every chain it is linked to. */
export async function listCertificates(
  db: Kysely<Database>, filters: CertificateFilters, page: Page, now: Date, sort: CertificateSort = { by: 'expires', dir: 'asc' },
): Promise<Paged<CertificateListItem>> {
  const column = CERTIFICATE_SORTS[sort.by];
  const base = filtered(db, filters, now).selectAll('c').select('s.domain_names');
  const sorted = column === 'first_name' ? base.orderBy(sql`s.domain_names->>0`, sort.dir) : base.orderBy(sql.ref(`c.${column}`), sort.dir);
  // Ties fall back to the API's order, so a page boundary never splits them differently twice.
  const query = sorted.orderBy('c.not_after').orderBy('c.id');
  const { rows, total } = await pageOf(query, page);
  const ids = rows.map((r) => r.id);
  const [chains, sites] = await Promise.all([chainsOf(db, ids), sitesOf(db, ids)]);
  return { items: rows.map((row) => ({ ...certificateItem(row, chains.get(row.id) ?? [], now), ...siteFields(sites.get(row.id) ?? []) })), total, ...page };
}

export type SiteLink = { site_id: string; role: 'current' | 'stashed' };

/** Which sites serve or keep each certificate: a stashed one is kept for a later deploy, not renewed. */
export async function sitesOf(db: Kysely<Database>, certificateIds: readonly string[]): Promise<Map<string, SiteLink[]>> {
  const bySite = new Map<string, SiteLink[]>();
  if (certificateIds.length === 0) return bySite;
  const rows = await db.selectFrom('site_certificates').select(['certificate_id', 'site_id', 'role'])
    .where('certificate_id', 'in', [...certificateIds]).orderBy('site_id').execute();
  for (const row of rows) {
    const list = bySite.get(row.certificate_id) ?? [];
    list.push({ site_id: row.site_id, role: row.role as SiteLink['role'] });
    bySite.set(row.certificate_id, list);
  }
  return bySite;
}

export const siteFields = (sites: SiteLink[]) => ({ is_stashed: sites.some((s) => s.role === 'stashed'), sites });

/** Chains per certificate: the CA's default first, then in the order they were linked. */
export async function chainsOf(db: Kysely<Database>, certificateIds: readonly string[]): Promise<Map<string, ChainLink[]>> {
  const byCertificate = new Map<string, ChainLink[]>();
  if (certificateIds.length === 0) return byCertificate;
  const rows = await db
    .selectFrom('certificate_chains')
    .select(['certificate_id', 'ca_chain_id', 'is_default', 'is_selected'])
    .where('certificate_id', 'in', [...certificateIds])
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .orderBy('ca_chain_id')
    .execute();
  for (const row of rows) {
    const list = byCertificate.get(row.certificate_id) ?? [];
    list.push({ id: row.ca_chain_id, is_default: row.is_default, is_selected: row.is_selected });
    byCertificate.set(row.certificate_id, list);
  }
  return byCertificate;
}

type CertificateRow = Selectable<Database['certificates']>;

export function certificateItem(row: CertificateRow & { domain_names: string[] }, chains: ChainLink[], now: Date) {
  return {
    id: row.id,
    domain_names: row.domain_names,
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    not_before: iso(row.not_before),
    not_after: iso(row.not_after),
    serial: row.serial,
    subject: row.subject,
    issuer: row.issuer,
    fingerprint_sha1: row.fingerprint_sha1,
    fingerprint_sha256: row.fingerprint_sha256,
    spki_sha256: row.spki_sha256,
    key_technology: row.key_technology,
    private_key_id: row.private_key_id,
    is_active: row.is_active,
    is_expired: row.not_after.getTime() <= now.getTime(),
    is_revoked: row.is_revoked,
    deactivation_reason: row.deactivation_reason,
    status_changed_at: isoOrNull(row.status_changed_at),
    chains,
    created_at: iso(row.created_at),
  };
}
