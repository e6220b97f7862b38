import type { Kysely } from 'kysely';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A domain can be marked once the catalog knows it (a certificate named it): the domain stream
 * alone cannot tell a typo from a new name. `key` is an id or an already normalised name.
 */
export async function knownDomain(db: Kysely<Database>, key: string): Promise<{ id: string; domainName: string }> {
  const byId = UUID.test(key);
  const row = await db
    .selectFrom('domains')
    .select(['id', 'domain_name'])
    .where(byId ? 'id' : 'domain_name', '=', byId ? key.toLowerCase() : key)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`domain ${key} not found`);
  return { id: row.id, domainName: row.domain_name };
}
