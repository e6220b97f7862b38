import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { applyEvents } from '../checkpoints.js';
import type { Projection } from '../projection.js';
import { claimRebuild, type RebuildLock } from './rebuild-lock.js';
import {
  analyzeShadowTables, buildDeferredIndexes, createShadowTables, dropShadowTables, lockLiveTables, swapInShadowTables, useShadowTables, type DeferredIndex,
} from './shadow-tables.js';

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
 * One page of the events any of `types` wants after `after`, read OUTSIDE any transaction (PGlite
 * has one connection, held by an open transaction). `complete`: nothing wanted is left up to `upTo`,
 * which may then pass the last event read (events of other types need no replay).
 */
async function readPage(store: EventStore, types: readonly string[], after: bigint, batchSize: number) {
  const head = await store.headPosition();
  if (types.length === 0) return { events: [], upTo: head > after ? head : after, complete: true, head };
  const events = await store.readAll({ after, maxCount: batchSize, eventTypes: types });
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

/** One projection's part of a rebuild: its claim, its shadow tables, what it has replayed. */
type Run = {
  projection: Projection;
  types: ReadonlySet<string>;
  lock: RebuildLock;
  deferred: DeferredIndex[];
  /** Deferred indexes built and `replay.finish` run: from then on events are applied as live. */
  finished: boolean;
  events: number;
  attempts: number;
  longTails: number;
  analyzeAt: number;
  result?: RebuildResult;
};

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
  return (await rebuildTogether(deps, [projection], options))[0] as RebuildResult;
}

/**
 * `rebuildBeside` for several projections over ONE read of the log: each page is read once (and
 * its JSON parsed once), and each projection applies its share on its own connection (PostgreSQL:
 * at the same time). Each swaps on its own as soon as it is caught up. Results in the given order.
 */
export async function rebuildTogether(
  deps: { db: Kysely<Database>; store: EventStore },
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult[]> {
  const { db, store } = deps;
  // PGlite: small enough that a batch holds its one connection (every reader waits) for a fraction of a
  // second. PostgreSQL readers never wait for the shadow tables: larger batches spread each batch's fixed cost.
  const batchSize = options.batchSize ?? (store.kind === 'pglite' ? 250 : 2_000);
  const started = performance.now();
  const runs: Run[] = [];
  try {
    for (const projection of projections) {
      const lock = await claimRebuild(db, projection.name);
      runs.push({ projection, types: new Set(projection.eventTypes), lock, deferred: [], finished: false, events: 0, attempts: 0, longTails: 0, analyzeAt: FIRST_ANALYZE_AT });
    }
    for (const run of runs) run.deferred = await createShadowTables(db, run.projection.tables, run.projection.deferredIndexes ?? []);
    let position = 0n;
    let ahead: ReturnType<typeof readPage> | undefined;
    for (let pending = runs; pending.length > 0; pending = runs.filter((run) => !run.result)) {
      const types = [...new Set(pending.flatMap((run) => run.projection.eventTypes))];
      const page = await (ahead ?? readPage(store, types, position, batchSize));
      ahead = undefined;
      // PostgreSQL: the next page is read on another connection while this one is applied.
      if (store.kind === 'postgres' && !page.complete) {
        ahead = readPage(store, types, page.upTo, batchSize);
        ahead.catch(() => undefined);
      }
      await eachRun(store, pending, (run) => step(db, run, page, position, started, options));
      position = page.upTo;
    }
    return runs.map((run) => run.result as RebuildResult);
  } finally {
    for (const run of runs) {
      try {
        // A run that was taken over leaves the shadow tables to the one that took them.
        if (!run.result && (await run.lock.owned())) await dropShadowTables(db, run.projection.tables);
      } finally {
        await run.lock.release();
      }
    }
  }
}

/** The deferred indexes, then the projection's `replay.finish` on the shadow tables. */
async function finishReplay(db: Kysely<Database>, run: Run): Promise<void> {
  await buildDeferredIndexes(db, run.deferred);
  const finish = run.projection.replay?.finish;
  if (finish) {
    await db.transaction().execute(async (trx) => {
      await run.lock.beat(trx);
      await useShadowTables(trx);
      await finish(trx);
    });
  }
  run.finished = true;
}

/** PostgreSQL: every run at once, each on its own connection; PGlite has one connection. All settle before an error is thrown. */
async function eachRun(store: EventStore, runs: readonly Run[], work: (run: Run) => Promise<void>): Promise<void> {
  if (store.kind !== 'postgres') {
    for (const run of runs) await work(run);
    return;
  }
  const failed = (await Promise.allSettled(runs.map(work))).find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

type Page = Awaited<ReturnType<typeof readPage>>;

/** One page for one run: the swap when it is caught up with a short tail, else its share into the shadow tables. */
async function step(db: Kysely<Database>, run: Run, page: Page, position: bigint, started: number, options: RebuildOptions): Promise<void> {
  const { projection, lock } = run;
  const own = page.events.filter((event) => run.types.has(event.type));
  options.onProgress?.({ projection: projection.name, position, head: page.head, events: run.events });
  run.longTails = page.complete && own.length > SWAP_TAIL_MAX ? run.longTails + 1 : 0;
  // The tail goes into the swap transaction, under the lock readers wait for: a short one if it can.
  if (page.complete && (own.length <= SWAP_TAIL_MAX || run.longTails >= LONG_TAIL_AFTER_ROUNDS)) {
    // Outside the swap's lock, once: what the replay left for its end (indexes, derived columns).
    if (!run.finished) await finishReplay(db, run);
    run.attempts += 1;
    if (await trySwap(db, projection, lock, own, page.upTo, options.swapLockTimeoutMs ?? SWAP_LOCK_TIMEOUT_MS)) {
      run.events += own.length;
      options.onProgress?.({ projection: projection.name, position: page.upTo, head: page.upTo, events: run.events });
      const elapsedMs = Math.max(1, Math.round(performance.now() - started));
      run.result = {
        name: projection.name,
        version: projection.version,
        events: run.events,
        position: page.upTo,
        elapsedMs,
        eventsPerSecond: Math.round((run.events * 1000) / elapsedMs),
        swapAttempts: run.attempts,
      };
      return;
    }
    if (run.attempts >= MAX_SWAP_ATTEMPTS) throw new Error(`rebuild of ${projection.name}: the live runner stayed ahead for ${run.attempts} swap attempts`);
  }
  // Not caught up yet (or the live runner was ahead): keep its share and read on.
  if (own.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await lock.beat(trx);
    await useShadowTables(trx);
    // A crash loses the shadow tables anyway (the next run drops them): no need to wait for the WAL flush.
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    // Once finished (a swap lost to the live runner), what follows is applied as live, derived columns too.
    await applyEvents(trx, projection, own, run.finished ? 'live' : 'replay');
  });
  run.events += own.length;
  if (run.events >= run.analyzeAt) {
    await analyzeShadowTables(db, projection.tables);
    run.analyzeAt *= 4;
  }
}
