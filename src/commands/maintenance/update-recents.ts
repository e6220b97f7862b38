import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { catalogProjection } from '../../projections/catalog.projection.js';
import { updateAllRecents } from '../../projections/recents.js';

/**
 * A read-model repair, not a command: recents are a projection of the certificates' state, so
 * recomputing them appends nothing. The catalog checkpoint row is locked first, which is the lock
 * every catalog batch takes: the repair never interleaves with a batch and overwrites its recents
 * from a stale snapshot. Returns how many domains changed.
 */
export async function updateRecentsEverywhere(db: Kysely<Database>): Promise<{ domainsChanged: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${catalogProjection.name} FOR UPDATE`.execute(trx);
    return { domainsChanged: await updateAllRecents(trx) };
  });
}
