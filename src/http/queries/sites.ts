import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

/** Sites of the sites projection: those serving `host` (when given), by id, one page and the total. */
export async function listSites(db: Kysely<Database>, filter: { host?: string; dir?: 'asc' | 'desc'; limit: number; offset: number }) {
  let query = db.selectFrom('sites');
  if (filter.host) query = query.where(sql<boolean>`host_names @> ${JSON.stringify([filter.host])}::jsonb`);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('site_id', filter.dir ?? 'asc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
