import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { affectedBy, affectedDomainNames, isEmpty, PRIME_EVENT_TYPES } from '../../projections/redis-prime/affected.js';

const PAGE = 1_000;

/**
 * The domains whose config.json may differ after the events in (from, to] — the same events and
 * rule as the Redis prime, which also writes what config.json serves; 'all' when the chain
 * policy changed or there are too many events to be worth it (a full load is then cheaper).
 */
export async function changedDomainNames(
  deps: { db: Kysely<Database>; store: EventStore },
  from: bigint,
  to: bigint,
  maxEvents: number,
): Promise<string[] | 'all'> {
  const events: RecordedEvent[] = [];
  for (let after = from; after < to;) {
    const page = await deps.store.readAll({ after, maxCount: PAGE, eventTypes: PRIME_EVENT_TYPES });
    for (const event of page) if (event.position <= to) events.push(event);
    if (events.length > maxEvents) return 'all';
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const affected = affectedBy(events);
  if (affected.all) return 'all';
  return isEmpty(affected) ? [] : affectedDomainNames(deps.db, affected);
}
