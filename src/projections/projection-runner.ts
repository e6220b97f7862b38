import type { Kysely } from 'kysely';
import type { Database } from '../infra/db/schema.js';
import type { EventStore } from '../infra/eventstore/port.js';
import type { LogFields, Logger } from '../infra/logger.js';
import { applyBatch, CheckpointMovedError, loadCheckpoint, ProjectionApplyError, rebuildFromZero, type Checkpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import type { PositionBoard } from './wait-for-position.js';
import { createWakeSignal } from './wake-signal.js';

/** The part of the service logger runners use: scalar fields (types, ids, positions), never payloads. */
export type ProjectionLogger = Pick<Logger, 'info' | 'error'>;

export type RunnerSettings = {
  batchSize: number;
  /** Fallback when a wake-up from store.onAppended is lost (e.g. a dropped LISTEN connection). */
  pollIntervalMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
};

export type ProjectionRunner = {
  start: () => void;
  stop: () => Promise<void>;
  /** Wakes the loop: events may have been appended. */
  nudge: () => void;
  rebuild: () => Promise<void>;
};

type Deps = { projection: Projection; store: EventStore; db: Kysely<Database>; board: PositionBoard; logger: ProjectionLogger; settings: RunnerSettings };

export function createProjectionRunner({ projection, store, db, board, logger, settings }: Deps): ProjectionRunner {
  const name = projection.name;
  let checkpoint: Checkpoint | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  // Batches and rebuilds of this projection never overlap inside this process.
  let tail: Promise<unknown> = Promise.resolve();

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };

  const signal = createWakeSignal(() => running);
  const sleep = signal.sleep;

  const commit = (next: Checkpoint): void => {
    checkpoint = next;
    board.report(name, next.position);
  };

  const rebuildNow = async (reason: string): Promise<void> => {
    logger.info('projection rebuild started', { projection: name, version: projection.version, reason });
    commit(await rebuildFromZero(db, store, projection, settings.batchSize));
    logger.info('projection rebuild done', { projection: name, position: checkpoint?.position.toString() });
  };

  /** One batch; false when there was nothing to read. */
  const step = async (): Promise<boolean> => {
    if (!checkpoint) {
      const stored = await loadCheckpoint(db, projection);
      if (stored.version !== projection.version) await rebuildNow(`stored version ${stored.version}`);
      else commit(stored);
    }
    const current = checkpoint as Checkpoint;
    signal.clear();
    // No type filter: the checkpoint must advance past events this projection ignores too.
    const events = await store.readAll({ after: current.position, maxCount: settings.batchSize });
    if (events.length === 0) return false;
    try {
      commit(await applyBatch(db, projection, current, events));
    } catch (error) {
      if (!(error instanceof CheckpointMovedError)) throw error;
      logger.info('projection checkpoint moved by another runner; reloading', { projection: name });
      checkpoint = undefined;
    }
    return true;
  };

  const fail = (error: unknown): void => {
    // A failed batch rolled back; reload the checkpoint before trying again.
    checkpoint = undefined;
    const message = error instanceof Error ? error.message : String(error);
    board.reportError(name, message);
    const fields: LogFields = { projection: name, error: message };
    if (error instanceof ProjectionApplyError) {
      // Only the message of the underlying error: the event's data never reaches the log.
      Object.assign(fields, { eventType: error.event.type, eventId: error.event.id, position: error.event.position.toString() });
    }
    logger.error('projection stopped on error; retrying', fields);
  };

  const run = async (): Promise<void> => {
    let backoff = settings.retryInitialMs;
    while (running) {
      try {
        const progressed = await exclusive(step);
        board.reportError(name, undefined);
        backoff = settings.retryInitialMs;
        if (!progressed) await sleep(settings.pollIntervalMs, true);
      } catch (error) {
        fail(error);
        await sleep(backoff, false);
        backoff = Math.min(backoff * 2, settings.retryMaxMs);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      signal.interrupt();
      await loop;
      loop = undefined;
    },
    nudge() {
      signal.nudge();
    },
    rebuild: () =>
      exclusive(async () => {
        try {
          await rebuildNow('requested');
        } catch (error) {
          checkpoint = undefined;
          throw error;
        }
      }),
  };
}
