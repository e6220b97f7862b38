import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/shared/errors.js';
import type { Database } from '../infra/db/schema.js';
import type { EventStore } from '../infra/eventstore/port.js';
import { createLogger } from '../infra/logger.js';
import type { Projection } from './projection.js';
import { createProjectionRunner, type ProjectionLogger, type ProjectionRunner, type RunnerSettings } from './projection-runner.js';
import { createPositionBoard, type WaitForOptions } from './wait-for-position.js';

export type { ProjectionLogger } from './projection-runner.js';
export { ProjectionTimeoutError, type WaitForOptions } from './wait-for-position.js';

export type ProjectionStatus = { name: string; version: number; position: bigint; lastError?: string };

export type ProjectionSet = {
  /** Starts one runner per projection: catch-up from its checkpoint, then live. */
  start: () => void;
  /** Lets each runner finish its current batch, then stops. */
  stop: () => Promise<void>;
  /** Replays one projection from position 0 in one transaction, between two batches of its runner. */
  rebuild: (name: string) => Promise<void>;
  status: () => ProjectionStatus[];
  /** Read-your-writes: resolves once every (or each named) projection's checkpoint is ≥ position. */
  waitFor: (position: bigint, options?: WaitForOptions) => Promise<void>;
};

export type ProjectionSetOptions = {
  store: EventStore;
  db: Kysely<Database>;
  projections: readonly Projection[];
  logger?: ProjectionLogger;
  settings?: Partial<RunnerSettings>;
};

const defaults: RunnerSettings = { batchSize: 500, pollIntervalMs: 1_000, retryInitialMs: 250, retryMaxMs: 30_000 };

export function createProjectionSet({ store, db, projections, logger = createLogger(), settings }: ProjectionSetOptions): ProjectionSet {
  const names = projections.map((p) => p.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`Projection ${duplicate} is registered twice`);

  const board = createPositionBoard(names);
  const merged: RunnerSettings = { ...defaults, ...settings };
  const runners = new Map<string, ProjectionRunner>(
    projections.map((projection) => [
      projection.name,
      createProjectionRunner({ projection, store, db, board, logger, settings: merged }),
    ]),
  );
  let unsubscribe: (() => void) | undefined;

  return {
    start() {
      if (unsubscribe) return;
      unsubscribe = store.onAppended(() => {
        for (const runner of runners.values()) runner.nudge();
      });
      for (const runner of runners.values()) runner.start();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      await Promise.all([...runners.values()].map((runner) => runner.stop()));
    },
    async rebuild(name) {
      const runner = runners.get(name);
      if (!runner) throw new NotFoundError(`Unknown projection ${name}`);
      await runner.rebuild();
    },
    status: () =>
      projections.map(({ name, version }) => {
        const lastError = board.lastError(name);
        return { name, version, position: board.position(name), ...(lastError === undefined ? {} : { lastError }) };
      }),
    waitFor: (position, options) => board.waitFor(position, options),
  };
}
