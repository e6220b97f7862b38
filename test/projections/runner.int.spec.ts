import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { Database } from '../../src/infra/db/schema.js';
import type { EventStore, NewEvent } from '../../src/infra/eventstore/port.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import type { LogFields } from '../../src/infra/logger.js';
import type { Projection } from '../../src/projections/projection.js';
import { createProjectionSet, ProjectionTimeoutError, type ProjectionLogger, type ProjectionSet } from '../../src/projections/runner.js';
import { openTestDatabase } from '../support/db.js';

/**
 * Deliberately NOT idempotent (a plain INSERT per event): a double apply shows up as two rows.
 * Its table is created by the test, so it is not in `Database`: hence the cast.
 */
function probe(options: { version?: number; marker?: string; fault?: { on: boolean } } = {}): Projection {
  const { version = 1, marker = `v${version}`, fault } = options;
  return {
    name: 'probe',
    version,
    eventTypes: ['ProbeHappened'],
    tables: ['test_applied' as keyof Database],
    async apply(trx, event) {
      if (fault?.on && event.data.poison === true) throw new Error('injected fault');
      await sql`INSERT INTO test_applied (event_id, position, marker) VALUES (${event.id}, ${event.position}, ${marker})`.execute(trx);
    },
  };
}

type Row = { event_id: string; position: bigint; marker: string; n: bigint };

describe.each(['pglite', 'postgres'] as const)('projection runner on %s', (kind) => {
  let handle: DatabaseHandle;
  let store: EventStore;
  const sets: ProjectionSet[] = [];
  const logged: { message: string; fields: LogFields }[] = [];
  const logger: ProjectionLogger = {
    info: (message, fields = {}) => logged.push({ message, fields }),
    error: (message, fields = {}) => logged.push({ message, fields }),
  };

  const newSet = (projection: Projection, settings: { batchSize?: number; pollIntervalMs?: number } = {}): ProjectionSet => {
    const set = createProjectionSet({ store, db: handle.db, projections: [projection], logger, settings: { retryInitialMs: 20, retryMaxMs: 100, ...settings } });
    sets.push(set);
    return set;
  };

  const append = async (count: number, extra: { poisonAt?: number; others?: number } = {}): Promise<bigint> => {
    const events: NewEvent[] = Array.from({ length: count }, (_, i) => ({
      type: 'ProbeHappened',
      data: { i, poison: i === extra.poisonAt, secret: 'PAYLOAD-MUST-NOT-BE-LOGGED' },
    }));
    // Events the projection ignores: the checkpoint must still move past them.
    for (let i = 0; i < (extra.others ?? 0); i++) events.push({ type: 'SomethingElseHappened', data: { i } });
    return (await store.append(`probe-${randomUUID()}`, events, { expectedRevision: 'any' })).position;
  };

  const rows = async (): Promise<Row[]> =>
    (await sql<Row>`SELECT event_id, min(position) AS position, min(marker) AS marker, count(*) AS n FROM test_applied GROUP BY event_id ORDER BY 2`.execute(handle.db)).rows;

  const storedCheckpoint = () =>
    handle.db.selectFrom('projection_checkpoints').select(['version', 'position']).where('name', '=', 'probe').executeTakeFirst();

  beforeEach(async () => {
    handle = await openTestDatabase(kind);
    store = createPostgresEventStore(handle);
    await sql`CREATE TABLE test_applied (event_id text NOT NULL, position bigint NOT NULL, marker text NOT NULL)`.execute(handle.db);
    logged.length = 0;
  });

  afterEach(async () => {
    await Promise.all(sets.splice(0).map((set) => set.stop()));
    await store.close();
    await handle.close();
  });

  it('catches up from 0 and moves the checkpoint past events it ignores', async () => {
    const head = await append(3, { others: 2 });
    const set = newSet(probe());
    set.start();
    await set.waitFor(head);

    expect((await rows()).map((r) => r.n)).toEqual([1n, 1n, 1n]);
    expect(await storedCheckpoint()).toEqual({ version: 1, position: head });
    expect(set.status()).toEqual([{ name: 'probe', version: 1, position: head }]);
  });

  it('applies live events, woken by the store rather than by polling, and waitFor resolves after the append', async () => {
    // A poll this slow would time the test out: only store.onAppended can wake the runner.
    const set = newSet(probe(), { pollIntervalMs: 60_000 });
    set.start();
    await vi.waitFor(async () => expect(await storedCheckpoint()).toBeDefined());

    const position = await append(2);
    await set.waitFor(position, { timeoutMs: 5_000 });
    expect(await rows()).toHaveLength(2);
    expect((await storedCheckpoint())?.position).toBe(position);
  });

  it('rolls back a batch whose apply throws, records the error, then applies each event exactly once', async () => {
    const fault = { on: true };
    const head = await append(5, { poisonAt: 2 });
    const set = newSet(probe({ fault }));
    set.start();

    await vi.waitFor(() => expect(set.status()[0]?.lastError).toMatch(/ProbeHappened .* injected fault/));
    expect(await rows()).toEqual([]);
    expect((await storedCheckpoint())?.position).toBe(0n);
    const failure = logged.find((entry) => entry.message.includes('error'));
    expect(failure?.fields).toMatchObject({ projection: 'probe', eventType: 'ProbeHappened' });
    expect(failure?.fields.eventId).toEqual(expect.any(String));
    expect(JSON.stringify(logged)).not.toContain('PAYLOAD-MUST-NOT-BE-LOGGED');

    fault.on = false;
    await set.waitFor(head, { timeoutMs: 5_000 });
    expect((await rows()).map((r) => r.n)).toEqual([1n, 1n, 1n, 1n, 1n]);
    expect(set.status()[0]?.lastError).toBeUndefined();
  });

  it('never double-applies when two runners of one projection share the database (compare-and-set)', async () => {
    const head = await append(600, { others: 30 });
    const first = newSet(probe(), { batchSize: 40 });
    const second = newSet(probe(), { batchSize: 40 });
    first.start();
    second.start();
    await Promise.all([first.waitFor(head, { timeoutMs: 20_000 }), second.waitFor(head, { timeoutMs: 20_000 })]);

    const applied = await rows();
    expect(applied).toHaveLength(600);
    expect(applied.filter((r) => r.n !== 1n)).toEqual([]);
    expect((await storedCheckpoint())?.position).toBe(head);
  });

  it('rebuilds from 0 into the same rows, dropping rows that no event explains', async () => {
    const head = await append(4, { others: 1 });
    const set = newSet(probe());
    set.start();
    await set.waitFor(head);
    const before = await rows();
    await sql`INSERT INTO test_applied VALUES ('stray', 0, 'junk')`.execute(handle.db);

    await set.rebuild('probe');

    expect(await rows()).toEqual(before);
    expect(await storedCheckpoint()).toEqual({ version: 1, position: head });
    const later = await append(1);
    await set.waitFor(later);
    expect(await rows()).toHaveLength(5);
  });

  it('rebuilds when the stored version differs from the projection version', async () => {
    const head = await append(3);
    const v1 = newSet(probe({ version: 1 }));
    v1.start();
    await v1.waitFor(head);
    await v1.stop();

    const v2 = newSet(probe({ version: 2 }));
    v2.start();
    await v2.waitFor(head);
    const applied = await rows();
    expect(applied.map((r) => [r.marker, r.n])).toEqual([['v2', 1n], ['v2', 1n], ['v2', 1n]]);
    expect(await storedCheckpoint()).toEqual({ version: 2, position: head });
  });

  it('times out waitFor with a clear error naming the lagging projection', async () => {
    const head = await append(1);
    const set = newSet(probe());
    set.start();
    await set.waitFor(head);

    const waiting = set.waitFor(head + 1_000n, { timeoutMs: 100 });
    await expect(waiting).rejects.toBeInstanceOf(ProjectionTimeoutError);
    await expect(waiting).rejects.toThrow(`Timed out after 100 ms waiting for projections to reach position ${head + 1_000n}: probe at ${head}`);
    await expect(set.waitFor(head, { projections: ['nope'] })).rejects.toThrow('Unknown projection(s): nope');
  });
});
