import { sql, type Kysely, type Transaction } from 'kysely';
import pg from 'pg';
import { ConcurrencyError, UnavailableError } from '../../domain/shared/errors.js';
import type { DatabaseHandle } from '../db/kysely.js';
import type { Database } from '../db/schema.js';
import type { AppendResult, EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent, Subscription } from './port.js';
import { fromEventRow, toEventRow } from './serde.js';

/**
 * Gap-safe global order by a single-writer append lock. Every append takes this transaction-scoped
 * advisory lock first, so global positions (bigserial) are drawn by one transaction at a time, and
 * PostgreSQL makes a commit visible before it releases the transaction's locks. A reader can
 * therefore never see position N+1 while N is still uncommitted: N is either visible already or its
 * transaction rolled back (a hole in the numbers, never an event that appears later below a position
 * a subscriber has already passed). The cost is one append at a time per database, which is far
 * beyond what a certificate manager writes. Exported for the late-commit test.
 */
export const APPEND_LOCK_KEY = 0x636572746c656467n; // 'certledg'
export const NOTIFY_CHANNEL = 'certledger_events';
const REVISION_CONSTRAINT = 'events_stream_revision_unique';
const SUBSCRIPTION_BATCH = 500;
const POLL_INTERVAL_MS = 1_000;
const RECONNECT_DELAY_MS = 1_000;

export function createPostgresEventStore(handle: DatabaseHandle): EventStore {
  const { db } = handle;
  const listeners = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  const fire = () => {
    for (const listener of [...listeners]) {
      // The append has committed; a faulty listener must not turn it into a failure.
      try { listener(); } catch (err) { process.emitWarning(err instanceof Error ? err : String(err)); }
    }
  };
  // Another process's appends only reach us through NOTIFY; PGlite has a single process by design.
  const notifications = handle.kind === 'postgres' && handle.pool ? listenForNotifications(handle.pool, fire) : undefined;

  const store: EventStore = {
    kind: handle.kind,

    async append(streamName, events, { expectedRevision }) {
      let result: AppendResult;
      try {
        // READ COMMITTED on purpose: the revision check must see the commit of the writer that held the
        // lock before us; REPEATABLE READ would freeze the snapshot before the lock wait.
        result = await db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${sql.lit(APPEND_LOCK_KEY)})`.execute(trx);
          const current = await currentRevision(trx, streamName);
          checkExpected(streamName, expectedRevision, current);
          if (events.length === 0) return { nextRevision: current ?? -1n, position: await head(trx) };
          const first = current === null ? 0n : current + 1n;
          const rows = events.map((event, i) => toEventRow(streamName, first + BigInt(i), event));
          const inserted = await trx.insertInto('events').values(rows).returning('global_position').execute();
          if (handle.kind === 'postgres') await sql`notify ${sql.raw(NOTIFY_CHANNEL)}`.execute(trx);
          const position = inserted.reduce((max, row) => (row.global_position > max ? row.global_position : max), 0n);
          return { nextRevision: first + BigInt(events.length - 1), position };
        });
      } catch (err) {
        // Only a writer that skipped the lock can hit the constraint, but the answer is the same.
        if (hasCode(err, '23505') && (err as { constraint?: string }).constraint === REVISION_CONSTRAINT) {
          throw new ConcurrencyError(streamName, describe(expectedRevision), 'a concurrent write', { cause: err });
        }
        throw toStoreError(err);
      }
      fire();
      return result;
    },

    readStream: (streamName, options = {}) =>
      guard(async () => {
        let query = db.selectFrom('events').selectAll().where('stream_name', '=', streamName).orderBy('stream_revision');
        if (options.fromRevision !== undefined) query = query.where('stream_revision', '>=', options.fromRevision);
        if (options.maxCount !== undefined) query = query.limit(options.maxCount);
        return (await query.execute()).map(fromEventRow);
      }),

    readAll: (options) => guard(() => readAll(options)),

    headPosition: () => guard(() => head(db)),

    subscribeToAll(options = {}) {
      const subscription = pollingSubscription(readAll, store.onAppended, options, () => subscriptions.delete(subscription));
      subscriptions.add(subscription);
      return subscription;
    },

    onAppended(listener) {
      listeners.add(listener);
      notifications?.start();
      return () => void listeners.delete(listener);
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      listeners.clear();
      await notifications?.stop();
    },
  };

  async function readAll({ after, maxCount, eventTypes }: ReadAllOptions): Promise<RecordedEvent[]> {
    if (maxCount <= 0) return [];
    let query = db.selectFrom('events').selectAll().where('global_position', '>', after ?? 0n).orderBy('global_position').limit(maxCount);
    // An empty list means "no filter", the same as leaving it out.
    if (eventTypes?.length) query = query.where('event_type', 'in', eventTypes);
    return (await query.execute()).map(fromEventRow);
  }

  return store;
}

async function currentRevision(trx: Transaction<Database>, streamName: string): Promise<bigint | null> {
  const row = await trx.selectFrom('events').select((eb) => eb.fn.max('stream_revision').as('revision'))
    .where('stream_name', '=', streamName).executeTakeFirst();
  return row?.revision ?? null;
}

async function head(executor: Kysely<Database>): Promise<bigint> {
  const row = await executor.selectFrom('events').select((eb) => eb.fn.max('global_position').as('head')).executeTakeFirst();
  return row?.head ?? 0n;
}

function checkExpected(streamName: string, expected: ExpectedRevision, current: bigint | null): void {
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    (typeof expected === 'bigint' && current === expected);
  if (!holds) throw new ConcurrencyError(streamName, describe(expected), current === null ? 'no_stream' : current.toString());
}

function describe(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

/**
 * Catch-up then live, over plain readAll batches: woken by onAppended, with a slow poll as the
 * fallback for a missed notification. It never skips an event because readAll never can (see the lock above).
 */
function pollingSubscription(
  readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
  onAppended: (listener: () => void) => () => void,
  { after, eventTypes }: { after?: bigint; eventTypes?: readonly string[] },
  onClosed: () => void,
): Subscription {
  let closed = false;
  let dirty = false;
  let wake: (() => void) | undefined;
  const poke = () => { dirty = true; wake?.(); };

  async function* events(): AsyncGenerator<RecordedEvent> {
    if (closed) return;
    const unsubscribe = onAppended(poke);
    let position = after ?? 0n;
    try {
      while (!closed) {
        dirty = false;
        const batch = await guard(() => readAll({ after: position, maxCount: SUBSCRIPTION_BATCH, eventTypes }));
        for (const event of batch) {
          if (closed) return;
          position = event.position;
          yield event;
        }
        if (batch.length === SUBSCRIPTION_BATCH || dirty || closed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_INTERVAL_MS);
          wake = () => { clearTimeout(timer); resolve(); };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
    }
  }

  const iterator = events();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      closed = true;
      wake?.();
      onClosed();
      // Ends a generator that is parked at a yield, so its finally block (the unsubscribe) runs now.
      await iterator.return(undefined);
    },
  };
}

/** One dedicated LISTEN connection, started on demand and re-opened when it drops. */
function listenForNotifications(pool: pg.Pool, onNotify: () => void) {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const start = () => {
    if (stopped || client || retry) return;
    const current = new pg.Client(pool.options);
    client = current;
    // A lost connection is not an error for callers: we reconnect, and the poll covers the gap.
    const drop = () => {
      if (client !== current) return;
      client = undefined;
      current.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => { retry = undefined; start(); }, RECONNECT_DELAY_MS);
    };
    current.on('notification', (message) => { if (message.channel === NOTIFY_CHANNEL) onNotify(); });
    current.on('error', drop);
    current.on('end', drop);
    current.connect()
      .then(() => current.query(`LISTEN ${NOTIFY_CHANNEL}`))
      // Events appended while we were not listening: wake everyone once.
      .then(() => onNotify(), drop);
  };

  const stop = async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
  return { start, stop };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toStoreError(err);
  }
}

function toStoreError(err: unknown): unknown {
  return isConnectionError(err) ? new UnavailableError('The PostgreSQL event store is unreachable', { cause: err }) : err;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // SQLSTATE class 08 is "connection exception"; 57P0x is a server shutting down or starting.
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  if (err instanceof AggregateError && err.errors.some(isConnectionError)) return true;
  return /connection terminated|connection timeout/i.test(err.message);
}

function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
