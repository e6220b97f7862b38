import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.js';
import type { Projection } from './projection.js';

export type Checkpoint = { version: number; position: bigint };

/** Another runner committed this projection's checkpoint since we read it: roll back and reload. */
export class CheckpointMovedError extends Error {
  constructor(readonly projection: string) {
    super(`Checkpoint of projection ${projection} moved under this runner`);
    this.name = 'CheckpointMovedError';
  }
}

/** Carries the event's type, id and position, never its data: safe to log and to show in status. */
export class ProjectionApplyError extends Error {
  constructor(
    readonly projection: string,
    readonly event: Pick<RecordedEvent, 'type' | 'id' | 'position'>,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`Projection ${projection} failed on ${event.type} ${event.id} at position ${event.position}: ${reason}`, options);
    this.name = 'ProjectionApplyError';
  }
}

/** Creates the row of a new projection at position 0 (another runner may race us: ON CONFLICT). */
export async function loadCheckpoint(db: Kysely<Database>, projection: Projection): Promise<Checkpoint> {
  await db
    .insertInto('projection_checkpoints')
    .values({ name: projection.name, version: projection.version, position: 0n, updated_at: sql`now()` })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return db
    .selectFrom('projection_checkpoints')
    .select(['version', 'position'])
    .where('name', '=', projection.name)
    .executeTakeFirstOrThrow();
}

async function applyOne(trx: Transaction<Database>, projection: Projection, event: RecordedEvent): Promise<void> {
  try {
    await projection.apply(trx, event);
  } catch (cause) {
    throw new ProjectionApplyError(projection.name, event, { cause });
  }
}

/**
 * Applies events of this projection's types in order: through `applyBatch` when it has one, inside
 * a savepoint; if the batch fails, that is rolled back and the events go through `apply` one by
 * one, so a failure names its event (ProjectionApplyError) exactly as without a batch form.
 */
export async function applyEvents(
  trx: Transaction<Database>, projection: Projection, events: readonly RecordedEvent[], form: 'live' | 'replay' = 'live',
): Promise<void> {
  // `replay`: a rebuild's replay, whose stale derived columns `projection.replay.finish` makes right later.
  const batch = (form === 'replay' ? projection.replay?.applyBatch : undefined) ?? projection.applyBatch;
  // An in-place rebuild hands over the whole log: statements stay bounded by runs of BATCH_MAX.
  for (let at = 0; at < events.length; at += BATCH_MAX) await applyRun(trx, projection, batch, events.slice(at, at + BATCH_MAX));
}

const BATCH_MAX = 2_000;

async function applyRun(
  trx: Transaction<Database>, projection: Projection, batch: Projection['applyBatch'], events: readonly RecordedEvent[],
): Promise<void> {
  if (batch && events.length > 1) {
    await sql`SAVEPOINT certledger_batch`.execute(trx);
    try {
      await batch(trx, events);
      await sql`RELEASE SAVEPOINT certledger_batch`.execute(trx);
      return;
    } catch {
      await sql`ROLLBACK TO SAVEPOINT certledger_batch`.execute(trx);
    }
  }
  for (const event of events) await applyOne(trx, projection, event);
}

/**
 * Applies one batch and moves the checkpoint to its last event in ONE transaction, so a crash
 * neither applies an event twice nor skips one. The compare-and-set runs first: a second runner
 * of the same projection then blocks on the checkpoint row lock instead of doing the work
 * twice, and finds 0 rows once the first one commits.
 */
export async function applyBatch(
  db: Kysely<Database>,
  projection: Projection,
  expected: Checkpoint,
  events: readonly RecordedEvent[],
): Promise<Checkpoint> {
  const last = events.at(-1);
  if (!last) return expected;
  const wanted = new Set(projection.eventTypes);
  await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('projection_checkpoints')
      .set({ position: last.position, updated_at: sql`now()` })
      .where('name', '=', projection.name)
      .where('version', '=', expected.version)
      .where('position', '=', expected.position)
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) throw new CheckpointMovedError(projection.name);
    await applyEvents(trx, projection, events.filter((event) => wanted.has(event.type)));
  });
  return { version: expected.version, position: last.position };
}

/**
 * Events are read BEFORE the transaction: on PGlite the one connection belongs to the open
 * transaction, so a store read inside it would wait forever. The cost is holding this
 * projection's events in memory during a rebuild (fine for a certificate catalogue).
 */
async function readEverything(store: EventStore, projection: Projection, batchSize: number): Promise<{ events: RecordedEvent[]; position: bigint }> {
  const head = await store.headPosition();
  const events: RecordedEvent[] = [];
  let after = 0n;
  while (projection.eventTypes.length > 0) {
    const batch = await store.readAll({ after, maxCount: batchSize, eventTypes: projection.eventTypes });
    events.push(...batch);
    after = batch.at(-1)?.position ?? after;
    if (batch.length < batchSize || after >= head) break;
  }
  // Everything of ours up to `head` has been read, so the checkpoint may skip to it.
  return { events, position: after > head ? after : head };
}

/**
 * Replays from position 0 in one transaction: empty the tables, reset the checkpoint, replay,
 * commit. DELETE rather than TRUNCATE so readers on other connections keep seeing the old rows
 * until the commit (TRUNCATE would lock them out). On PGlite readers simply wait: one connection.
 */
export async function rebuildFromZero(
  db: Kysely<Database>,
  store: EventStore,
  projection: Projection,
  batchSize: number,
): Promise<Checkpoint> {
  const { events, position } = await readEverything(store, projection, batchSize);
  const checkpoint: Checkpoint = { version: projection.version, position };
  await db.transaction().execute(async (trx) => {
    // Checkpoint first: its row lock keeps other runners from committing a batch mid-rebuild.
    await trx
      .insertInto('projection_checkpoints')
      .values({ name: projection.name, ...checkpoint, updated_at: sql`now()` })
      .onConflict((oc) => oc.column('name').doUpdateSet({ ...checkpoint, updated_at: sql`now()` }))
      .execute();
    for (const table of projection.tables) await trx.deleteFrom(table).execute();
    await applyEvents(trx, projection, events);
  });
  return checkpoint;
}
