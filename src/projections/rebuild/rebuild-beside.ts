import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { applyEvents } from '../checkpoints.js';
import type { Projection } from '../projection.js';
import { claimRebuild, type RebuildLock } from './rebuild-lock.js';
import { analyzeShadowTables, createShadowTables, dropShadowTables, lockLiveTables, swapInShadowTables, useShadowTables } from './shadow-tables.js';

export type RebuildProgress = { projection: string; position: bigint; head: bigint; events: number };

export type RebuildResult = {
  name: string;
  version: number;
  /** Events of this projection's types replayed into the new tables. */
  events: number;
  /** The checkpoint the swapped tables were built up to. */
  position: bigint;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Swap transactions tried: more than 1 when the live runner had passed what this run had read. */
  swapAttempts: number;
};

export type RebuildOptions = {
  batchSize?: number;
  /** How long the swap waits for a live table (readers queue behind it meanwhile) before trying again after a batch. */
  swapLockTimeoutMs?: number;
  onProgress?: (progress: RebuildProgress) => void;
};

/** After this many lost races with the live runner the rebuild gives up (its shadow tables are dropped). */
const MAX_SWAP_ATTEMPTS = 50;
const SWAP_LOCK_TIMEOUT_MS = 5_000;
const SWAP_TAIL_MAX = 50;
/**
 * Caught up but with a tail over SWAP_TAIL_MAX this many times in a row: writes arrive about as fast
 * as the replay runs, so the swap takes a whole batch as its tail (a longer lock, but an end).
 */
const LONG_TAIL_AFTER_ROUNDS = 5;
const LOCK_NOT_AVAILABLE = '55P03';
/** Events replayed before the shadow tables' first ANALYZE; then at 4×, 16×… that. */
const FIRST_ANALYZE_AT = 2_000;


/**
 * One batch of this projection's events after `after`, read OUTSIDE any transaction (PGlite has one
 * connection, held by an open transaction). `complete`: nothing of ours is left up to `upTo`,
 * which may then pass the last event read (events of other types need no replay).
 */
async function readBatch(store: EventStore, projection: Projection, after: bigint, batchSize: number) {
  const head = await store.headPosition();
  if (projection.eventTypes.length === 0) return { events: [], upTo: head > after ? head : after, complete: true, head };
  const events = await store.readAll({ after, maxCount: batchSize, eventTypes: projection.eventTypes });
  const last = events.at(-1)?.position ?? after;
  const complete = events.length < batchSize;
  const upTo = complete && head > last ? head : last;
  return { events, upTo, complete, head };
}

/**
 * The swap: the checkpoint row first (FOR UPDATE: the order the live runner takes its locks in,
 * so neither waits for the other in a cycle), then the live tables ACCESS EXCLUSIVE, then the tail
 * into the shadow tables, the swap and the checkpoint. If the live runner has already committed
 * past `upTo`, the new tables would be behind the checkpoint: false, nothing changed.
 */
async function trySwap(
  db: Kysely<Database>, projection: Projection, lock: RebuildLock, tail: readonly RecordedEvent[], upTo: bigint, lockTimeoutMs: number,
): Promise<boolean> {
  await db
    .insertInto('projection_checkpoints')
    .values({ name: projection.name, version: projection.version, position: 0n, updated_at: sql`now()` })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  try {
    return await db.transaction().execute((trx) => swapIn(trx, projection, lock, tail, upTo, lockTimeoutMs));
  } catch (error) {
    // A long reader held a live table: give up this attempt rather than stall every reader queued behind our lock.
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
    throw error;
  }
}

async function swapIn(
  trx: Transaction<Database>, projection: Projection, lock: RebuildLock, tail: readonly RecordedEvent[], upTo: bigint, lockTimeoutMs: number,
): Promise<boolean> {
  await sql`SET LOCAL lock_timeout = ${sql.lit(`${Math.round(lockTimeoutMs)}ms`)}`.execute(trx);
  const { rows } = await sql<{ position: bigint }>`
    SELECT position FROM projection_checkpoints WHERE name = ${projection.name} FOR UPDATE`.execute(trx);
  const live = rows[0]?.position ?? 0n;
  if (live > upTo) return false;
  // Taken over while we waited? Then the shadow tables are someone else's: never swap them in.
  await lock.beat(trx);
  await lockLiveTables(trx, projection.tables);
  await useShadowTables(trx);
  await applyEvents(trx, projection, tail);
  await sql`SET LOCAL search_path TO public`.execute(trx);
  await swapInShadowTables(trx, projection.tables);
  await trx
    .updateTable('projection_checkpoints')
    .set({ version: projection.version, position: upTo, updated_at: sql`now()` })
    .where('name', '=', projection.name)
    .execute();
  return true;
}

/**
 * Replays `projection` from position 0 into shadow tables while the live runner keeps projecting
 * into the live ones and readers keep reading them; once caught up, swaps them in with one short
 * transaction and moves the checkpoint there. The live runner's next batch then finds its
 * checkpoint moved (CheckpointMovedError) and reloads from the swapped position.
 */
export async function rebuildBeside(
  deps: { db: Kysely<Database>; store: EventStore },
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { db, store } = deps;
  // PGlite: small enough that a batch holds its one connection (every reader waits) for a fraction of a
  // second. PostgreSQL readers never wait for the shadow tables: larger batches spread each batch's fixed cost.
  const batchSize = options.batchSize ?? (store.kind === 'pglite' ? 250 : 2_000);
  const started = performance.now();
  const lock = await claimRebuild(db, projection.name);
  let swapped = false;
  try {
    await createShadowTables(db, projection.tables);
    let position = 0n;
    let events = 0;
    let attempts = 0;
    let longTails = 0;
    let analyzeAt = FIRST_ANALYZE_AT;
    let ahead: ReturnType<typeof readBatch> | undefined;
    for (;;) {
      const batch = await (ahead ?? readBatch(store, projection, position, batchSize));
      ahead = undefined;
      options.onProgress?.({ projection: projection.name, position, head: batch.head, events });
      longTails = batch.complete && batch.events.length > SWAP_TAIL_MAX ? longTails + 1 : 0;
      // The tail goes into the swap transaction, under the lock readers wait for: a short one if it can.
      if (batch.complete && (batch.events.length <= SWAP_TAIL_MAX || longTails >= LONG_TAIL_AFTER_ROUNDS)) {
        attempts += 1;
        if (await trySwap(db, projection, lock, batch.events, batch.upTo, options.swapLockTimeoutMs ?? SWAP_LOCK_TIMEOUT_MS)) {
          swapped = true;
          events += batch.events.length;
          options.onProgress?.({ projection: projection.name, position: batch.upTo, head: batch.upTo, events });
          const elapsedMs = Math.max(1, Math.round(performance.now() - started));
          return {
            name: projection.name,
            version: projection.version,
            events,
            position: batch.upTo,
            elapsedMs,
            eventsPerSecond: Math.round((events * 1000) / elapsedMs),
            swapAttempts: attempts,
          };
        }
        if (attempts >= MAX_SWAP_ATTEMPTS) throw new Error(`rebuild of ${projection.name}: the live runner stayed ahead for ${attempts} swap attempts`);
      }
      // Not caught up yet (or the live runner was ahead): keep the batch and read on.
      if (batch.events.length > 0) {
        // PostgreSQL: the next batch is read on another connection while this one is applied.
        if (store.kind === 'postgres' && !batch.complete) {
          ahead = readBatch(store, projection, batch.upTo, batchSize);
          ahead.catch(() => undefined);
        }
        await db.transaction().execute(async (trx) => {
          await lock.beat(trx);
          await useShadowTables(trx);
          await applyEvents(trx, projection, batch.events);
        });
        events += batch.events.length;
        if (events >= analyzeAt) {
          await analyzeShadowTables(db, projection.tables);
          analyzeAt *= 4;
        }
      }
      position = batch.upTo;
    }
  } finally {
    try {
      // A run that was taken over leaves the shadow tables to the one that took them.
      if (!swapped && (await lock.owned())) await dropShadowTables(db, projection.tables);
    } finally {
      await lock.release();
    }
  }
}
