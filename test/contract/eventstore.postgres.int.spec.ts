import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, UnavailableError } from '../../src/domain/shared/errors.js';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { EventStore } from '../../src/infra/eventstore/port.js';
import { APPEND_LOCK_KEY, createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { openTestDatabase } from '../support/db.js';
import { describeEventStoreContract, event, expectStrictlyIncreasing, outcome, take } from '../support/eventstore-contract.js';

describeEventStoreContract('postgres', async () => {
  const handle = await openTestDatabase('postgres');
  const store = createPostgresEventStore(handle);
  return { store, close: async () => { await store.close(); await handle.close(); } };
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settled = (promise: Promise<unknown>) => Promise.race([promise.then(() => true, () => true), sleep(0).then(() => false)]);

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await sleep(25)) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

describe('PostgreSQL event store on a PostgreSQL server', () => {
  let handle: DatabaseHandle;
  let store: EventStore;
  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    store = createPostgresEventStore(handle);
  });
  afterAll(async () => {
    await store.close();
    await handle.close();
  });

  /** A transaction on its own connection that takes the append lock and writes one event, as a slow append would. */
  async function lateAppend(streamName: string) {
    const client = await handle.pool!.connect();
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
    const id = randomUUID();
    const { rows } = await client.query<{ global_position: bigint }>(
      `INSERT INTO events (event_id, stream_name, stream_revision, event_type, data, metadata)
       VALUES ($1, $2, 0, 'ContractLate', '{}', '{"schemaVersion":1}') RETURNING global_position`, [id, streamName]);
    let open = true;
    const finish = async (sql: 'COMMIT' | 'ROLLBACK') => { await client.query(sql); open = false; client.release(); };
    // On a failed test: drop the connection (and its transaction) so closing the pool cannot hang.
    const abandon = () => { if (open) { open = false; client.release(true); } };
    return { id, position: rows[0]!.global_position, commit: () => finish('COMMIT'), rollback: () => finish('ROLLBACK'), abandon };
  }

  it('has kind postgres and head 0n while empty', async () => {
    expect(store.kind).toBe('postgres');
    expect(await store.headPosition()).toBe(0n);
  });

  for (const ending of ['COMMIT', 'ROLLBACK'] as const) {
    it(`never lets a subscriber pass a transaction that commits late (${ending})`, async () => {
      const first = await store.append(`late-${randomUUID()}`, [event()], { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ after: first.position });
      const iterator = subscription[Symbol.asyncIterator]();
      const late = await lateAppend(`late-${randomUUID()}`);
      const streams = Array.from({ length: 5 }, () => `late-${randomUUID()}`);
      const appends = streams.map((s) => store.append(s, [event()], { expectedRevision: 'no_stream' }));
      const received = take(iterator, ending === 'COMMIT' ? 6 : 5);
      try {
        expect(late.position).toBeGreaterThan(first.position);
        await sleep(300);
        // Appends queue behind the lock; nothing past the open transaction is visible to anyone.
        expect(await Promise.all(appends.map(settled))).toEqual(streams.map(() => false));
        expect(await settled(received)).toBe(false);
        expect(await store.readAll({ after: first.position, maxCount: 10 })).toEqual([]);
        expect(await store.headPosition()).toBe(first.position);
        await (ending === 'COMMIT' ? late.commit() : late.rollback());
      } finally {
        late.abandon();
      }
      const results = await Promise.all(appends);
      const events = await received;
      await subscription.close();
      expectStrictlyIncreasing(events.map((e) => e.position));
      expect(events.every((e) => e.position > first.position)).toBe(true);
      const expected = results.map((r) => r.position);
      if (ending === 'COMMIT') expect(events[0]).toMatchObject({ id: late.id, position: late.position });
      expect(events.filter((e) => e.type !== 'ContractLate').map((e) => e.position)).toEqual([...expected].sort((a, b) => (a < b ? -1 : 1)));
    });
  }

  it('maps a revision taken by a writer that skipped the lock to a ConcurrencyError', async () => {
    const stream = `unlocked-${randomUUID()}`;
    await store.append(stream, [event()], { expectedRevision: 'no_stream' });
    const intruder = await handle.pool!.connect();
    try {
      await intruder.query('BEGIN');
      await intruder.query(`INSERT INTO events (event_id, stream_name, stream_revision, event_type, data, metadata)
        VALUES ($1, $2, 1, 'ContractIntruded', '{}', '{}')`, [randomUUID(), stream]);
      // Our append cannot see the uncommitted row, so it inserts revision 1 and waits on the unique index.
      const append = outcome(store.append(stream, [event()], { expectedRevision: 0n }));
      await sleep(200);
      await intruder.query('COMMIT');
      expect(await append).toBeInstanceOf(ConcurrencyError);
    } finally {
      intruder.release();
    }
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['ContractThingHappened', 'ContractIntruded']);
  });

  it('wakes onAppended in another store through NOTIFY, and again after its LISTEN connection drops', async () => {
    // A database of its own: the only LISTEN connection in it is the one under test.
    const shared = await openTestDatabase('postgres');
    const writer = createPostgresEventStore(shared);
    const other = createPostgresEventStore(shared);
    let calls = 0;
    const unsubscribe = other.onAppended(() => { calls += 1; });
    const listenerPid = async () => {
      const { rows } = await shared.pool!.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN certledger_events' AND state = 'idle'");
      return rows[0]?.pid;
    };
    const wokenByAppend = async () => {
      await sleep(100);
      const before = calls;
      await writer.append(`notify-${randomUUID()}`, [event()], { expectedRevision: 'no_stream' });
      await waitUntil(async () => calls > before);
    };
    try {
      await waitUntil(async () => (await listenerPid()) !== undefined);
      await wokenByAppend();
      const pid = await listenerPid();
      await shared.pool!.query('SELECT pg_terminate_backend($1)', [pid]);
      await waitUntil(async () => ![undefined, pid].includes(await listenerPid()));
      await wokenByAppend();
      unsubscribe();
      await other.close();
      await waitUntil(async () => (await listenerPid()) === undefined);
    } finally {
      await other.close();
      await writer.close();
      await shared.close();
    }
  });

  it('maps an unreachable server to UnavailableError', async () => {
    const unreachable = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/certledger' });
    const unreachableStore = createPostgresEventStore(unreachable);
    try {
      const error = await unreachableStore.headPosition().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).cause).toBeDefined();
      await expect(unreachableStore.append('x-1', [event()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await unreachableStore.close();
      await unreachable.close();
    }
  });
});
