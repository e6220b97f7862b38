/**
 * The one behaviour every EventStore adapter must show. Streams and event types are unique per
 * test run, because an EventStoreDB server is shared between runs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../src/domain/shared/errors.js';
import type { EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../../src/infra/eventstore/port.js';

export type OpenEventStore = () => Promise<{ store: EventStore; close: () => Promise<void> }>;

const run = randomUUID().replaceAll('-', '').slice(0, 12);
let counter = 0;
/** `contractTest-<unique>`: one dash, as stream names are built in the domain. */
export const uniqueStream = (label = 'stream') => `contractTest-${label}_${run}_${++counter}`;
export const uniqueType = (name: string) => `${name}${run}`;
export const event = (type = 'ContractThingHappened', data: object = {}): NewEvent => ({ type, data });

/** Settles to 'ok' or to the error, so racing appends can be compared after Promise.all. */
export const outcome = (append: Promise<unknown>): Promise<unknown> => append.then(() => 'ok', (err: unknown) => err);

/** Pulls from the iterator until `count` events pass `keep`; fails after `timeoutMs`. */
export async function take(
  iterator: AsyncIterator<RecordedEvent>, count: number, keep: (e: RecordedEvent) => boolean = () => true, timeoutMs = 10_000,
): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`took ${taken.length} of ${count} events in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    while (taken.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`subscription ended after ${taken.length} of ${count} events`);
      if (keep(next.value)) taken.push(next.value);
    }
    return taken;
  } finally {
    clearTimeout(timer);
  }
}

export function expectStrictlyIncreasing(positions: readonly bigint[]): void {
  positions.forEach((p, i) => { if (i > 0) expect(p > positions[i - 1]!, `position ${p} after ${positions[i - 1]}`).toBe(true); });
}

export function describeEventStoreContract(name: string, open: OpenEventStore): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => { ({ store, close } = await open()); });
    afterAll(async () => { await close?.(); });

    const expectConflict = async (stream: string, expectedRevision: ExpectedRevision) => {
      const before = await store.readStream(stream);
      const error = await store.append(stream, [event(), event()], { expectedRevision }).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'concurrency_conflict', streamName: stream });
      expect(await store.readStream(stream)).toEqual(before);
    };

    it('appends to a new stream with no_stream and reads it back', async () => {
      const stream = uniqueStream();
      const id = randomUUID();
      const result = await store.append(stream, [{ id, type: 'ContractCreated', data: { n: 1 }, metadata: { actor: 'test' } }, event()], { expectedRevision: 'no_stream' });
      expect(result.nextRevision).toBe(1n);
      const [first, second] = await store.readStream(stream);
      expect(first).toMatchObject({ id, streamName: stream, revision: 0n, type: 'ContractCreated', data: { n: 1 }, metadata: { actor: 'test', schemaVersion: 1 } });
      expect(first!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(second).toMatchObject({ revision: 1n, position: result.position });
      expect(first!.position < second!.position).toBe(true);
    });

    it('rejects a wrong expected revision with a ConcurrencyError and writes nothing', async () => {
      const stream = uniqueStream();
      await expectConflict(stream, 'stream_exists');
      await expectConflict(stream, 0n);
      await store.append(stream, [event()], { expectedRevision: 'no_stream' });
      await expectConflict(stream, 'no_stream');
      await expectConflict(stream, 1n);
      await expectConflict(uniqueStream(), 3n);
    });

    it('accepts exact, any and stream_exists revisions', async () => {
      const stream = uniqueStream();
      expect((await store.append(stream, [event()], { expectedRevision: 'any' })).nextRevision).toBe(0n);
      expect((await store.append(stream, [event()], { expectedRevision: 0n })).nextRevision).toBe(1n);
      expect((await store.append(stream, [event()], { expectedRevision: 'stream_exists' })).nextRevision).toBe(2n);
      expect((await store.append(stream, [event(), event()], { expectedRevision: 'any' })).nextRevision).toBe(4n);
    });

    it('reads a stream in revision order, from a revision, up to a count; [] when missing', async () => {
      const stream = uniqueStream();
      for (let i = 0; i < 5; i++) await store.append(stream, [event('ContractCounted', { i })], { expectedRevision: 'any' });
      const all = await store.readStream(stream);
      expect(all.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(all.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4]);
      expectStrictlyIncreasing(all.map((e) => e.position));
      expect((await store.readStream(stream, { fromRevision: 2n, maxCount: 2 })).map((e) => e.revision)).toEqual([2n, 3n]);
      expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
    });

    it('reads all streams after a position, up to a count, filtered by type', async () => {
      const [a, b] = [uniqueType('ContractAlphaHappened'), uniqueType('ContractBetaHappened')];
      const head = await store.headPosition();
      const written: bigint[] = [];
      for (const type of [a, b, a, b, a]) written.push((await store.append(uniqueStream(), [event(type)], { expectedRevision: 'no_stream' })).position);
      const both = await store.readAll({ after: head, maxCount: 100, eventTypes: [a, b] });
      expect(both.map((e) => e.position)).toEqual(written);
      expect(both.map((e) => e.type)).toEqual([a, b, a, b, a]);
      expect((await store.readAll({ after: head, maxCount: 2, eventTypes: [a, b] })).map((e) => e.position)).toEqual(written.slice(0, 2));
      expect((await store.readAll({ after: written[1], maxCount: 100, eventTypes: [a] })).map((e) => e.position)).toEqual([written[2], written[4]]);
      const unfiltered = await store.readAll({ after: written[0], maxCount: 1 });
      expect(unfiltered[0]!.position > written[0]!).toBe(true);
    });

    it('reports the head position', async () => {
      const { position } = await store.append(uniqueStream(), [event()], { expectedRevision: 'no_stream' });
      expect(await store.headPosition()).toBeGreaterThanOrEqual(position);
    });

    it('writes every event of a multi-event append, or none', async () => {
      const stream = uniqueStream();
      await store.append(stream, [event(), event(), event()], { expectedRevision: 'no_stream' });
      await expectConflict(stream, 1n);
      const events = await store.readStream(stream);
      expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      const all = await store.readAll({ after: events[0]!.position - 1n, maxCount: 3 });
      expect(all.map((e) => e.id)).toEqual(events.map((e) => e.id));
    });

    it('lets exactly one of two writers racing on one revision win', async () => {
      for (let round = 0; round < 10; round++) {
        const stream = uniqueStream('race');
        const expectedRevision: ExpectedRevision = round % 2 === 0 ? 'no_stream' : 0n;
        if (expectedRevision === 0n) await store.append(stream, [event()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.all([1, 2].map((writer) => outcome(store.append(stream, [event('ContractRaced', { writer })], { expectedRevision }))));
        expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
        expect(outcomes.find((o) => o !== 'ok')).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(stream)).toHaveLength(expectedRevision === 0n ? 2 : 1);
      }
    });

    it('gives a subscriber every event of many concurrent writers exactly once, in order', async () => {
      const writers = 20;
      const appends = 25;
      const prefix = uniqueStream('concurrent');
      const subscription = store.subscribeToAll({ after: 0n });
      const received = take(subscription[Symbol.asyncIterator](), writers * appends, (e) => e.streamName.startsWith(prefix), 30_000);
      const ids = new Set<string>();
      await Promise.all(Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appends; i++) {
          const id = randomUUID();
          ids.add(id);
          await store.append(`${prefix}w${w}`, [{ id, type: 'ContractWritten', data: { w, i } }], { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) });
        }
      }));
      const events = await received;
      await subscription.close();
      expectStrictlyIncreasing(events.map((e) => e.position));
      expect(new Set(events.map((e) => e.id))).toEqual(ids);
      for (let w = 0; w < writers; w++) {
        expect(events.filter((e) => e.streamName === `${prefix}w${w}`).map((e) => e.data.i)).toEqual(Array.from({ length: appends }, (_, i) => i));
      }
    }, 120_000);

    it('calls onAppended listeners after an append', async () => {
      let unsubscribe = () => undefined as void;
      const called = new Promise<void>((resolve) => { unsubscribe = store.onAppended(resolve); });
      await store.append(uniqueStream(), [event()], { expectedRevision: 'no_stream' });
      await expect(Promise.race([called.then(() => 'called'), new Promise((r) => setTimeout(r, 5_000, 'timeout'))])).resolves.toBe('called');
      unsubscribe();
    });

    it('subscribes to all: catches up from a position, then goes live, until closed', async () => {
      const type = uniqueType('ContractSubscribed');
      const stream = uniqueStream();
      const head = await store.headPosition();
      await store.append(stream, [event(type, { n: 0 }), event(type, { n: 1 }), event(type, { n: 2 })], { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ after: head, eventTypes: [type] });
      const iterator = subscription[Symbol.asyncIterator]();
      expect((await take(iterator, 3)).map((e) => e.data.n)).toEqual([0, 1, 2]);
      const next = take(iterator, 2);
      await store.append(stream, [event(type, { n: 3 })], { expectedRevision: 2n });
      await store.append(stream, [event('ContractIgnored'), event(type, { n: 4 })], { expectedRevision: 3n });
      expect((await next).map((e) => [e.data.n, e.revision])).toEqual([[3, 3n], [4, 5n]]);
      await subscription.close();
      expect((await iterator.next()).done).toBe(true);
    });
  });
}
