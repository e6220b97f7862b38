import type { Kysely } from 'kysely';
import type { Database } from '../infra/db/schema.js';
import type { Projection } from './projection.js';
import type { ProjectionStatus } from './runner.js';
import { createPositionBoard, type WaitForOptions } from './wait-for-position.js';

export type CheckpointWatcher = {
  start: () => void;
  stop: () => Promise<void>;
  status: () => ProjectionStatus[];
  waitFor: (position: bigint, options?: WaitForOptions) => Promise<void>;
};

/**
 * For a process that serves but does not project (CERTLEDGER_ROLES without `projector`): the
 * projector runs elsewhere, so read-your-writes and readiness follow the checkpoints it commits.
 */
export function createCheckpointWatcher(db: Kysely<Database>, projections: readonly Projection[], intervalMs = 100): CheckpointWatcher {
  const board = createPositionBoard(projections.map((p) => p.name));
  let timer: NodeJS.Timeout | undefined;

  const poll = async () => {
    try {
      const rows = await db.selectFrom('projection_checkpoints').select(['name', 'position']).execute();
      for (const row of rows) if (board.position(row.name) !== row.position) board.report(row.name, row.position);
    } catch {
      // The database is away: positions stay where they were, waiters time out with a 503.
    }
    if (timer) timer = setTimeout(() => void poll(), intervalMs);
  };

  return {
    start() {
      if (timer) return;
      timer = setTimeout(() => void poll(), 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
    },
    status: () => projections.map((p) => ({ name: p.name, version: p.version, position: board.position(p.name) })),
    waitFor: (position, options) => board.waitFor(position, options),
  };
}
