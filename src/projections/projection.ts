import type { Transaction } from 'kysely';
import type { Database } from '../infra/db/schema.js';
import type { RecordedEvent } from '../infra/eventstore/port.js';

/**
 * A read model fed by the event log. The runner calls `apply` inside the transaction that also
 * moves the checkpoint; `apply` must still be idempotent by itself (upserts on natural keys,
 * ON CONFLICT), so a replay or an overlapping rebuild can never double-count.
 */
export type Projection = {
  /** Checkpoint key in projection_checkpoints; never rename a shipped projection. */
  name: string;
  /** Bump when `apply` changes meaning: a stored version that differs triggers a rebuild. */
  version: number;
  eventTypes: readonly string[];
  /** The tables this projection owns: a rebuild empties exactly these. */
  tables: readonly (keyof Database)[];
  /**
   * Optional: secondary (non-unique) indexes of those tables that `apply` never needs; a rebuild
   * beside builds them after its replay instead of maintaining them on every insert.
   */
  deferredIndexes?: readonly string[];
  apply: (trx: Transaction<Database>, event: RecordedEvent) => Promise<void>;
  /**
   * Optional: the same effect as `apply` on each event in order, in a few set-based statements
   * (catch-up and rebuilds apply hundreds of events per transaction). Gets only this projection's
   * event types. `applyEvents` falls back to `apply` one by one when it throws.
   */
  applyBatch?: (trx: Transaction<Database>, events: readonly RecordedEvent[]) => Promise<void>;
  /**
   * Optional, for a rebuild's replay into empty shadow tables: a cheaper batch form that may leave
   * derived columns stale, and `finish`, which makes them right once. Replay batches then `finish`
   * must give the tables `apply` gives on each event in order.
   */
  replay?: {
    applyBatch: (trx: Transaction<Database>, events: readonly RecordedEvent[]) => Promise<void>;
    finish: (trx: Transaction<Database>) => Promise<void>;
  };
};
