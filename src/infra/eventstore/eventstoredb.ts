import {
  BACKWARDS, DeadlineExceededError, END, EventStoreDBClient, START, UnavailableError as EsdbUnavailableError,
  WrongExpectedVersionError, StreamNotFoundError, eventTypeFilter, excludeSystemEvents, jsonEvent,
  type AllStreamResolvedEvent, type AllStreamSubscription, type JSONType, type ReadPosition, type ReadableSubscription, type ResolvedEvent, type StreamingRead,
} from '@eventstore/db-client';
import { ConcurrencyError, UnavailableError } from '../../domain/shared/errors.js';
import type { EventStore, NewEvent, RecordedEvent, Subscription } from './port.js';
import { eventId, isPlainObject, metadataJson, toMetadata, upcast } from './serde.js';

const READ_PAGE = 500;
const RESUBSCRIBE_DELAY_MS = 1_000;
// gRPC status codes the client sometimes leaves unwrapped (measured: appendToStream to a closed port).
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Our bigint position is the event's commit position in $all. Events appended over gRPC are
 * implicit transactions whose commit and prepare positions are equal, so {commit: p, prepare: p}
 * resumes exactly at an event. ESDB reads from a position inclusively: we skip positions <= after.
 *
 * @eventstore/db-client 6.2 sends no filter on readAll (it hard-codes "no filter"), so readAll and
 * headPosition drop system events ($-prefixed types or streams) client-side; the subscriptions use
 * the server-side filter.
 */
export function createEventStoreDbEventStore(connectionString: string): EventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  const listeners = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  let wakeups: AllStreamSubscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const fire = () => {
    for (const listener of [...listeners]) {
      try { listener(); } catch (err) { process.emitWarning(err instanceof Error ? err : String(err)); }
    }
  };

  // Live wake-ups for onAppended: one $all subscription from the end, restarted when it drops.
  const startWakeups = () => {
    if (closed || wakeups || retry) return;
    const native = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    wakeups = native;
    const restart = () => {
      if (wakeups !== native) return;
      wakeups = undefined;
      native.unsubscribe().catch(() => undefined);
      // Appends during the gap are not lost to listeners: they get one wake-up after the restart.
      if (!closed) retry = setTimeout(() => { retry = undefined; startWakeups(); fire(); }, RESUBSCRIBE_DELAY_MS);
    };
    native.on('data', fire);
    native.on('error', restart);
    native.on('end', restart);
  };

  const store: EventStore = {
    kind: 'eventstoredb',

    async append(streamName, events, { expectedRevision }) {
      try {
        const result = await client.appendToStream(streamName, events.map(toEventData), { expectedRevision });
        // Servers before 20.6 return no position; the head is at or past ours, so read-your-writes stays safe.
        const position = result.position?.commit ?? (await store.headPosition());
        fire();
        return { nextRevision: result.nextExpectedRevision, position };
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          throw new ConcurrencyError(streamName, String(err.expectedVersion), String(err.actualVersion), { cause: err });
        }
        throw toStoreError(err);
      }
    },

    async readStream(streamName, options = {}) {
      if (options.maxCount !== undefined && options.maxCount <= 0) return [];
      const out: RecordedEvent[] = [];
      try {
        const read = client.readStream(streamName, { fromRevision: options.fromRevision ?? START, maxCount: options.maxCount });
        for await (const resolved of iterate(read)) {
          const event = toRecorded(resolved);
          if (event) out.push(event);
        }
      } catch (err) {
        if (err instanceof StreamNotFoundError) return [];
        throw toStoreError(err);
      }
      return out;
    },

    async readAll({ after, maxCount, eventTypes }) {
      if (maxCount <= 0) return [];
      const wanted = eventTypes?.length ? new Set(eventTypes) : undefined;
      const out: RecordedEvent[] = [];
      // The last position seen, system events included, so every page resumes where the last one ended.
      let cursor = after !== undefined && after > 0n ? after : undefined;
      for (;;) {
        let seen = 0;
        // Whole pages are consumed: leaving a read early does not cancel its gRPC call in this client.
        for await (const resolved of iterate(readAllPage(cursor === undefined ? START : at(cursor)))) {
          const position = positionOf(resolved);
          if (position === undefined || (cursor !== undefined && position <= cursor)) continue;
          seen += 1;
          cursor = position;
          const event = toRecorded(resolved);
          if (event && (!wanted || wanted.has(event.type)) && out.length < maxCount) out.push(event);
        }
        if (out.length >= maxCount || seen === 0) return out;
      }
    },

    async headPosition() {
      let below: bigint | undefined;
      for (;;) {
        let seen = 0;
        let found: bigint | undefined;
        for await (const resolved of iterate(readAllPage(below === undefined ? END : at(below), true))) {
          const position = positionOf(resolved);
          if (position === undefined || (below !== undefined && position >= below)) continue;
          seen += 1;
          below = position;
          if (found === undefined && toRecorded(resolved)) found = position;
        }
        if (found !== undefined) return found;
        if (seen === 0) return 0n;
      }
    },

    subscribeToAll({ after, eventTypes } = {}) {
      const native = client.subscribeToAll({
        fromPosition: after !== undefined && after > 0n ? at(after) : START,
        // Exact type names never start with '$', so this filter also keeps system events out.
        filter: eventTypes?.length ? eventTypeFilter({ regex: `^(?:${eventTypes.map(escapeRegex).join('|')})$` }) : excludeSystemEvents(),
      });
      let ended = false;
      async function* events(): AsyncGenerator<RecordedEvent> {
        try {
          for await (const resolved of iterate(native)) {
            const event = toRecorded(resolved);
            if (event && (after === undefined || event.position > after)) yield event;
          }
        } catch (err) {
          if (!ended) throw toStoreError(err);
        }
      }
      const iterator = events();
      const subscription: Subscription = {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          ended = true;
          subscriptions.delete(subscription);
          await native.unsubscribe();
          void iterator.return(undefined);
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    onAppended(listener) {
      listeners.add(listener);
      startWakeups();
      return () => void listeners.delete(listener);
    },

    async close() {
      closed = true;
      clearTimeout(retry);
      const native = wakeups;
      wakeups = undefined;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await native?.unsubscribe();
      listeners.clear();
      await client.dispose();
    },
  };

  function readAllPage(fromPosition: ReadPosition, backwards = false) {
    return client.readAll({ fromPosition, maxCount: READ_PAGE, ...(backwards ? { direction: BACKWARDS } : {}) });
  }

  return store;
}

function toEventData(event: NewEvent) {
  return jsonEvent({ id: eventId(event), type: event.type, data: event.data as JSONType, metadata: metadataJson(event) });
}

/** undefined for what is not ours: system events, unresolved links, non-JSON events. */
function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  return upcast({
    id: event.id,
    streamName: event.streamId,
    revision: event.revision,
    // Stream reads on servers before 22.6 carry no position; 0n rather than a made-up one.
    position: event.position?.commit ?? resolved.commitPosition ?? 0n,
    type: event.type,
    data: isPlainObject(event.data) ? event.data : {},
    metadata: toMetadata(event.metadata),
    createdAt: event.created.toISOString(),
  });
}

function positionOf(resolved: AllStreamResolvedEvent): bigint | undefined {
  return resolved.event?.position.commit ?? resolved.link?.position.commit ?? resolved.commitPosition;
}

const at = (position: bigint): ReadPosition => ({ commit: position, prepare: position });

/** The client's reads are Node Readables, whose iterator is typed `any`: this restores the event type. */
const iterate = <E>(read: StreamingRead<E> | ReadableSubscription<E>): AsyncIterable<E> => read;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function toStoreError(err: unknown): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const unreachable = err instanceof EsdbUnavailableError || err instanceof DeadlineExceededError ||
    code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED;
  return unreachable ? new UnavailableError('EventStoreDB is unreachable', { cause: err }) : err;
}
