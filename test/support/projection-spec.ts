/**
 * Given/when/then for projections against a real database: events go through the real event
 * store and the real runner, and assertions read the real tables.
 */
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { Database } from '../../src/infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../src/infra/eventstore/port.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import type { Projection } from '../../src/projections/projection.js';
import { createProjectionSet, type ProjectionSet } from '../../src/projections/runner.js';
import { openTestDatabase } from './db.js';

export type GivenEvent = { stream: string; type: string; data: object };

export type ProjectionSpec = {
  handle: DatabaseHandle;
  db: Kysely<Database>;
  store: EventStore;
  set: ProjectionSet;
  /** Appends the events in order (one append each) and waits until every projection has them. */
  given: (...events: GivenEvent[]) => Promise<bigint>;
  /** Feeds every stored event through each projection's apply once more, in one transaction. */
  reapplyAll: () => Promise<void>;
  /** Every row of these tables, sorted, for before/after comparisons. */
  snapshot: (tables: readonly (keyof Database)[]) => Promise<Record<string, unknown[]>>;
  close: () => Promise<void>;
};

export async function openProjectionSpec(
  projections: readonly Projection[],
  kind: 'pglite' | 'postgres' = 'pglite',
): Promise<ProjectionSpec> {
  const handle = await openTestDatabase(kind);
  const store = createPostgresEventStore(handle);
  const set = createProjectionSet({ store, db: handle.db, projections, logger: silentLogger, settings: { retryInitialMs: 20, retryMaxMs: 200 } });
  set.start();

  const readAllEvents = async (): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for (let batch = await store.readAll({ maxCount: 500 }); batch.length > 0; batch = await store.readAll({ after: batch.at(-1)?.position, maxCount: 500 })) {
      events.push(...batch);
    }
    return events;
  };

  return {
    handle,
    db: handle.db,
    store,
    set,
    async given(...events) {
      let position = 0n;
      for (const event of events) {
        ({ position } = await store.append(event.stream, [{ type: event.type, data: event.data }], { expectedRevision: 'any' }));
      }
      await set.waitFor(position, { timeoutMs: 5_000 });
      return position;
    },
    async reapplyAll() {
      const events = await readAllEvents();
      await handle.db.transaction().execute(async (trx) => {
        for (const projection of projections) {
          for (const event of events) {
            if (projection.eventTypes.includes(event.type)) await projection.apply(trx, event);
          }
        }
      });
    },
    async snapshot(tables) {
      const result: Record<string, unknown[]> = {};
      for (const table of tables) {
        const rows = await handle.db.selectFrom(table).selectAll().execute();
        result[table] = rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
      }
      return result;
    },
    async close() {
      await set.stop();
      await store.close();
      await handle.close();
    },
  };
}
