import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { EventStore } from '../../src/infra/eventstore/port.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { openTestDatabase } from '../support/db.js';
import { describeEventStoreContract, event } from '../support/eventstore-contract.js';

describeEventStoreContract('pglite', async () => {
  const handle = await openTestDatabase('pglite');
  const store = createPostgresEventStore(handle);
  return { store, close: async () => { await store.close(); await handle.close(); } };
});

describe('PostgreSQL event store on PGlite', () => {
  let handle: DatabaseHandle;
  let store: EventStore;
  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    store = createPostgresEventStore(handle);
  });
  afterAll(async () => {
    await store.close();
    await handle.close();
  });

  it('has kind pglite and head 0n while empty', async () => {
    expect(store.kind).toBe('pglite');
    expect(await store.headPosition()).toBe(0n);
  });

  it('writes nothing when one event of a batch fails to insert', async () => {
    const id = randomUUID();
    await store.append('allOrNothing-a', [{ id, ...event() }], { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    // A duplicate event id fails the third row after two good ones.
    await expect(store.append('allOrNothing-b', [event(), event(), { id, ...event() }], { expectedRevision: 'no_stream' })).rejects.toThrow();
    expect(await store.readStream('allOrNothing-b')).toEqual([]);
    expect(await store.headPosition()).toBe(head);
    expect((await store.append('allOrNothing-b', [event()], { expectedRevision: 'no_stream' })).nextRevision).toBe(0n);
  });
});
