import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../infra/db/schema.js';

/**
 * The best active certificate per domain and kind, picked by DISTINCT ON: latest not_after,
 * then the newest import, then the id so the choice is total (identical on every rebuild).
 * `single`: its name set is exactly that domain; otherwise it names the domain among others.
 */
const best = (scope: RawBuilder<unknown>): RawBuilder<unknown> => sql`
  SELECT DISTINCT ON (s.domain_id, c.domain_count = 1)
         s.domain_id, c.domain_count = 1 AS single, c.id AS certificate_id
    FROM unique_fqdn_set_domains s
    JOIN certificates c ON c.unique_fqdn_set_id = s.unique_fqdn_set_id AND c.is_active
   WHERE ${scope}
   ORDER BY s.domain_id, c.domain_count = 1, c.not_after DESC, c.created_at DESC, c.id DESC`;

/**
 * One UPDATE for all the domains in scope (joins, not a subquery per domain: the repair of every
 * domain stays linear); a domain that lost its last active certificate
 * goes back to NULL. Rows whose recents did not change are not rewritten.
 */
async function update(trx: Kysely<Database>, domainScope: RawBuilder<unknown>, setScope: RawBuilder<unknown>): Promise<number> {
  const result = await sql`
    WITH best AS (${best(setScope)}),
    fresh AS (
      SELECT d.id, bs.certificate_id AS single_id, bm.certificate_id AS multi_id
        FROM domains d
        LEFT JOIN best bs ON bs.domain_id = d.id AND bs.single
        LEFT JOIN best bm ON bm.domain_id = d.id AND NOT bm.single
       WHERE ${domainScope}
    )
    UPDATE domains d
       SET certificate_latest_single_id = f.single_id,
           certificate_latest_multi_id = f.multi_id
      FROM fresh f
     WHERE d.id = f.id
       AND (d.certificate_latest_single_id IS DISTINCT FROM f.single_id
            OR d.certificate_latest_multi_id IS DISTINCT FROM f.multi_id)`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Recomputes the recents of these domains (after an import, deactivation, activation or revocation
 * touching them); returns how many domains changed. Only active certificates count. A deactivated
 * domain keeps its recents: they are facts about its certificates, and config.json hides them.
 */
export async function updateRecents(trx: Kysely<Database>, domainIds: readonly string[]): Promise<number> {
  if (domainIds.length === 0) return 0;
  const ids = [...new Set(domainIds)];
  return update(trx, sql`d.id = ANY(${ids}::text[])`, sql`s.domain_id = ANY(${ids}::text[])`);
}

/** Recomputes every domain's recents (the update-recents repair); returns how many domains changed. */
export async function updateAllRecents(trx: Kysely<Database>): Promise<number> {
  return update(trx, sql`TRUE`, sql`TRUE`);
}

/** The domains whose latest single or multi certificate this one is (the seed rule's question). */
export async function domainsServedBy(db: Kysely<Database>, certificateId: string): Promise<{ id: string; domain_name: string }[]> {
  return db
    .selectFrom('domains')
    .select(['id', 'domain_name'])
    .where((eb) => eb.or([eb('certificate_latest_single_id', '=', certificateId), eb('certificate_latest_multi_id', '=', certificateId)]))
    .orderBy('domain_name')
    .execute();
}
