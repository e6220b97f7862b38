import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { iso, isoOrNull, pageOf, type Page, type Paged } from './lists.js';

const DAY_MS = 86_400_000;

export type DomainFilters = {
  /** Start of the normalised name. */
  name_prefix?: string;
  /** A served certificate (latest single or multi) has not_after in (now, now + N days]. */
  expiring_within_days?: number;
  /** No active certificate names the domain (true), or at least one does (false). */
  without_active_certificate?: boolean;
  active?: boolean;
  id?: string;
  /** Part of the normalised name, anywhere in it (the dashboard's search); matched literally. */
  name_contains?: string;
};

/** The dashboard's column sorts; the API keeps its own order (name, or soonest expiry when filtering on it). */
export type DomainOrder = { by: 'name' | 'created' | 'expiry'; dir: 'asc' | 'desc' };

type Served = { id: string | null; not_after: Date | null; is_active: boolean | null };

const served = (s: Served) => (s.id ? { id: s.id, not_after: isoOrNull(s.not_after), is_active: s.is_active === true } : null);

export type DomainListItem = ReturnType<typeof domainItem>;

function domainItem(row: {
  id: string;
  domain_name: string;
  is_active: boolean;
  created_at: Date;
  single_id: string | null;
  single_not_after: Date | null;
  single_active: boolean | null;
  multi_id: string | null;
  multi_not_after: Date | null;
  multi_active: boolean | null;
}) {
  return {
    id: row.id,
    domain_name: row.domain_name,
    is_active: row.is_active,
    certificate_latest_single_id: row.single_id,
    certificate_latest_multi_id: row.multi_id,
    certificate_latest_single: served({ id: row.single_id, not_after: row.single_not_after, is_active: row.single_active }),
    certificate_latest_multi: served({ id: row.multi_id, not_after: row.multi_not_after, is_active: row.multi_active }),
    created_at: iso(row.created_at),
  };
}

function filtered(db: Kysely<Database>, f: DomainFilters, now: Date) {
  let q = db
    .selectFrom('domains as d')
    .leftJoin('certificates as cs', 'cs.id', 'd.certificate_latest_single_id')
    .leftJoin('certificates as cm', 'cm.id', 'd.certificate_latest_multi_id');
  // The prefix schema admits no LIKE wildcard (% or _), so it needs no escaping.
  if (f.name_prefix) q = q.where('d.domain_name', 'like', `${f.name_prefix}%`);
  if (f.name_contains) q = q.where(sql<boolean>`position(${f.name_contains.toLowerCase()} in d.domain_name) > 0`);
  if (f.active !== undefined) q = q.where('d.is_active', '=', f.active);
  if (f.id) q = q.where('d.id', '=', f.id);
  if (f.expiring_within_days !== undefined) {
    const until = new Date(now.getTime() + f.expiring_within_days * DAY_MS);
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('cs.not_after', '>', now), eb('cs.not_after', '<=', until)]),
        eb.and([eb('cm.not_after', '>', now), eb('cm.not_after', '<=', until)]),
      ]),
    );
  }
  if (f.without_active_certificate !== undefined) {
    const anyActive = sql<boolean>`exists (select 1 from unique_fqdn_set_domains fd
      join certificates c on c.unique_fqdn_set_id = fd.unique_fqdn_set_id and c.is_active where fd.domain_id = d.id)`;
    q = q.where(f.without_active_certificate ? sql<boolean>`not ${anyActive}` : anyActive);
  }
  return q;
}

/** The served certificates' soonest expiry (least() skips a missing one). */
const servedExpiry = sql`least(cs.not_after, cm.not_after)`;

/**
 * Domains by name, or soonest served expiry first when filtering on it (as peter_sslers orders
 * them); `order` sorts by a column instead (by expiry, domains serving nothing come last either way).
 */
export async function listDomains(db: Kysely<Database>, filters: DomainFilters, page: Page, now: Date, order?: DomainOrder): Promise<Paged<DomainListItem>> {
  let query = filtered(db, filters, now).select([
    'd.id',
    'd.domain_name',
    'd.is_active',
    'd.created_at',
    'cs.id as single_id',
    'cs.not_after as single_not_after',
    'cs.is_active as single_active',
    'cm.id as multi_id',
    'cm.not_after as multi_not_after',
    'cm.is_active as multi_active',
  ]);
  if (order) {
    if (order.by === 'expiry') query = query.orderBy(sql`${servedExpiry} ${sql.raw(order.dir)} nulls last`);
    else if (order.by === 'created') query = query.orderBy('d.created_at', order.dir);
    query = query.orderBy('d.domain_name', order.by === 'name' ? order.dir : 'asc');
  } else {
    if (filters.expiring_within_days !== undefined) query = query.orderBy(servedExpiry);
    query = query.orderBy('d.domain_name');
  }
  const { rows, total } = await pageOf(query, page);
  return { items: rows.map(domainItem), total, ...page };
}

/** One domain as the lists show it, by id or normalised name; null when unknown. */
export async function findDomainItem(db: Kysely<Database>, key: { id: string } | { name: string }, now: Date): Promise<DomainListItem | null> {
  const id = 'id' in key ? key.id : (await db.selectFrom('domains').select('id').where('domain_name', '=', key.name).executeTakeFirst())?.id;
  if (!id) return null;
  return (await listDomains(db, { id }, { limit: 1, offset: 0 }, now)).items[0] ?? null;
}
