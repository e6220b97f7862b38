/**
 * Deploy operations and the renewal run never act on the same site at once. In one process a
 * promise chain per site serializes them (PGlite has one connection, so a database lock taken
 * there would be re-entrant and serialize nothing; holding that connection while the body runs
 * queries would deadlock). On a PostgreSQL server a session advisory lock on a dedicated
 * connection also serializes other processes. Not re-entrant: a body must never take a site lock.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { renewalConfigurationStream } from '../../domain/renewal-configuration/events.js';
import { siteStreams } from '../../domain/shared/ids.js';

/** First key of the two-key advisory lock: sites, apart from other users of advisory locks. */
const SITE_LOCK_NAMESPACE = 8_001;

const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

async function inProcess<T>(db: object, siteId: string, fn: () => Promise<T>): Promise<T> {
  let bySite = queues.get(db);
  if (!bySite) queues.set(db, (bySite = new Map()));
  const before = bySite.get(siteId) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  bySite.set(siteId, tail);
  try {
    return await run;
  } finally {
    // The last waiter cleans up, so the map does not grow with every site ever touched.
    if (bySite.get(siteId) === tail) bySite.delete(siteId);
  }
}

export type LockDeps = { db: Kysely<Database>; store: Pick<EventStore, 'kind'> };

/**
 * Each held PostgreSQL lock keeps one pool connection while its body queries through others: cap
 * the holders per process so they can never take the whole pool (the default pool has 10).
 */
const MAX_HELD_PER_PROCESS = 4;
const held = new WeakMap<object, { count: number; waiting: (() => void)[] }>();

async function withHolderSlot<T>(db: object, fn: () => Promise<T>): Promise<T> {
  let slots = held.get(db);
  if (!slots) held.set(db, (slots = { count: 0, waiting: [] }));
  const s = slots;
  if (s.count >= MAX_HELD_PER_PROCESS) await new Promise<void>((resolve) => s.waiting.push(resolve));
  else s.count += 1;
  try {
    return await fn();
  } finally {
    // Hand the slot straight to the next waiter, or give it back.
    const next = s.waiting.shift();
    if (next) next();
    else s.count -= 1;
  }
}

export function withSiteLock<T>(deps: LockDeps, siteId: string, fn: () => Promise<T>): Promise<T> {
  return inProcess(deps.db, siteId, async () => {
    if (deps.store.kind === 'pglite') return fn();
    return withHolderSlot(deps.db, () => deps.db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${SITE_LOCK_NAMESPACE}::int, hashtext(${siteId}))`.execute(connection);
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(${SITE_LOCK_NAMESPACE}::int, hashtext(${siteId}))`.execute(connection);
      }
    }));
  });
}

/** Site handlers create their renewal configurations with the site stream as causation. */
export const siteCausation = (siteId: string): string => siteStreams.site(siteId);

/** The site a renewal configuration belongs to, or null (one created outside a site). */
export async function siteOfRenewalConfiguration(store: EventStore, configurationId: string): Promise<string | null> {
  const [first] = await store.readStream(renewalConfigurationStream(configurationId), { maxCount: 1 });
  const causation = first?.metadata.causationId;
  const prefix = siteStreams.site('');
  return causation?.startsWith(prefix) ? causation.slice(prefix.length) : null;
}
