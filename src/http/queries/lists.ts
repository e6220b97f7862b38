import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

export async function listCertificates(
  db: Kysely<Database>,
  query: { limit: number; offset: number; expiringWithinDays?: number; active?: boolean; now: Date },
) {
  let q = db
    .selectFrom('certificates as c')
    .innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id')
    .select(['c.id', 's.domain_names', 'c.not_before', 'c.not_after', 'c.is_active', 'c.is_expired', 'c.key_technology', 'c.fingerprint_sha256', 'c.issuer']);
  if (query.active !== undefined) q = q.where('c.is_active', '=', query.active);
  if (query.expiringWithinDays !== undefined) {
    q = q.where('c.not_after', '<=', new Date(query.now.getTime() + query.expiringWithinDays * 86_400_000));
  }
  const rows = await q.orderBy('c.not_after').orderBy('c.id').limit(query.limit).offset(query.offset).execute();
  return rows.map((r) => ({ ...r, not_before: r.not_before.toISOString(), not_after: r.not_after.toISOString() }));
}

export async function listDomains(db: Kysely<Database>, query: { limit: number; offset: number }) {
  return db
    .selectFrom('domains')
    .select(['id', 'domain_name', 'certificate_latest_single_id', 'certificate_latest_multi_id'])
    .orderBy('domain_name')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
}

export async function countRows(db: Kysely<Database>, table: 'certificates' | 'domains'): Promise<number> {
  const row = await db.selectFrom(table).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
