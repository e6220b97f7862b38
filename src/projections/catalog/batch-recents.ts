import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

/**
 * recents.ts's updateRecents for the many domains of a batch, with the same pick (DISTINCT ON:
 * latest not_after, newest import, then id; only active certificates; NULL when none) and the same
 * untouched rows. Joins `best` instead of two correlated subqueries per domain, which scan the
 * whole CTE for each domain: quadratic in the domains of a batch.
 */
export async function updateRecentsOf(trx: Kysely<Database>, domainIds: readonly string[]): Promise<void> {
  if (domainIds.length === 0) return;
  const ids = [...new Set(domainIds)];
  await sql`
    WITH best AS (
      SELECT DISTINCT ON (s.domain_id, c.domain_count = 1)
             s.domain_id, c.domain_count = 1 AS single, c.id AS certificate_id
        FROM unique_fqdn_set_domains s
        JOIN certificates c ON c.unique_fqdn_set_id = s.unique_fqdn_set_id AND c.is_active
       WHERE s.domain_id = ANY(${ids}::text[])
       ORDER BY s.domain_id, c.domain_count = 1, c.not_after DESC, c.created_at DESC, c.id DESC
    ),
    fresh AS (
      SELECT d.id, single.certificate_id AS single_id, multi.certificate_id AS multi_id
        FROM domains d
        LEFT JOIN best single ON single.domain_id = d.id AND single.single
        LEFT JOIN best multi ON multi.domain_id = d.id AND NOT multi.single
       WHERE d.id = ANY(${ids}::text[])
    )
    UPDATE domains d
       SET certificate_latest_single_id = f.single_id,
           certificate_latest_multi_id = f.multi_id
      FROM fresh f
     WHERE d.id = f.id
       AND (d.certificate_latest_single_id IS DISTINCT FROM f.single_id
            OR d.certificate_latest_multi_id IS DISTINCT FROM f.multi_id)`.execute(trx);
}
