import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

export type CatalogDomain = { id: string; domainName: string; isActive: boolean; hasCertificate: boolean };

/** The catalog's view of a name; `hasCertificate` is what config.json would hand nginx. */
export async function catalogDomain(db: Kysely<Database>, domainName: string): Promise<CatalogDomain | null> {
  const row = await db
    .selectFrom('domains')
    .select(['id', 'domain_name', 'is_active', 'certificate_latest_single_id', 'certificate_latest_multi_id'])
    .where('domain_name', '=', domainName)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    domainName: row.domain_name,
    isActive: row.is_active,
    hasCertificate: row.is_active && (row.certificate_latest_single_id !== null || row.certificate_latest_multi_id !== null),
  };
}
