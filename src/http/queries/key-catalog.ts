import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, PrivateKeysTable, UniqueFqdnSetsTable } from '../../infra/db/schema.js';
import { isId } from './certificates.js';
import { iso, isoOrNull, pageOf, type Page, type Paged } from './lists.js';

export type PrivateKeyRow = Selectable<PrivateKeysTable>;
export type UniqueFqdnSetRow = Selectable<UniqueFqdnSetsTable>;
type Counts = { certificates_count: string | number | bigint; active_certificates_count: string | number | bigint };

/** Public facts of a private key: never its material, which stays in the key vault. */
export function privateKeyItem(row: PrivateKeyRow & Counts) {
  return {
    id: row.id,
    key_technology: row.key_technology,
    spki_sha256: row.spki_sha256,
    source: row.source,
    is_compromised: row.is_compromised,
    compromised_reason: row.compromised_reason,
    compromised_at: isoOrNull(row.compromised_at),
    certificates_count: Number(row.certificates_count),
    active_certificates_count: Number(row.active_certificates_count),
    created_at: iso(row.created_at),
  };
}

export function uniqueFqdnSetItem(row: UniqueFqdnSetRow & Counts) {
  return {
    id: row.id,
    domain_names: row.domain_names,
    domain_count: row.domain_count,
    certificates_count: Number(row.certificates_count),
    active_certificates_count: Number(row.active_certificates_count),
    created_at: iso(row.created_at),
  };
}

const keyCounts = [
  sql<string>`(select count(*) from certificates c where c.private_key_id = private_keys.id)`.as('certificates_count'),
  sql<string>`(select count(*) from certificates c where c.private_key_id = private_keys.id and c.is_active)`.as('active_certificates_count'),
];
const setCounts = [
  sql<string>`(select count(*) from certificates c where c.unique_fqdn_set_id = unique_fqdn_sets.id)`.as('certificates_count'),
  sql<string>`(select count(*) from certificates c where c.unique_fqdn_set_id = unique_fqdn_sets.id and c.is_active)`.as('active_certificates_count'),
];

export async function listPrivateKeys(
  db: Kysely<Database>,
  filters: { compromised?: boolean },
  page: Page,
): Promise<Paged<ReturnType<typeof privateKeyItem>>> {
  let query = db.selectFrom('private_keys').selectAll().select(keyCounts);
  if (filters.compromised !== undefined) query = query.where('is_compromised', '=', filters.compromised);
  const { rows, total } = await pageOf(query.orderBy('created_at').orderBy('id'), page);
  return { items: rows.map(privateKeyItem), total, ...page };
}

export async function findPrivateKey(db: Kysely<Database>, id: string) {
  if (!isId(id)) return null;
  const row = await db.selectFrom('private_keys').selectAll().select(keyCounts).where('id', '=', id.toLowerCase()).executeTakeFirst();
  return row ? privateKeyItem(row) : null;
}

export async function listUniqueFqdnSets(db: Kysely<Database>, page: Page): Promise<Paged<ReturnType<typeof uniqueFqdnSetItem>>> {
  // Sorted name sets: the JSON text of the sorted list orders them by their first name, then the next.
  const query = db.selectFrom('unique_fqdn_sets').selectAll().select(setCounts).orderBy(sql`domain_names::text`).orderBy('id');
  const { rows, total } = await pageOf(query, page);
  return { items: rows.map(uniqueFqdnSetItem), total, ...page };
}

export async function findUniqueFqdnSet(db: Kysely<Database>, id: string) {
  if (!isId(id)) return null;
  const row = await db.selectFrom('unique_fqdn_sets').selectAll().select(setCounts).where('id', '=', id.toLowerCase()).executeTakeFirst();
  return row ? uniqueFqdnSetItem(row) : null;
}
