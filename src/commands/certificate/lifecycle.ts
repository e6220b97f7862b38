import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';

/** What the lifecycle mark handlers need: the store to decide on, the catalog for read-model facts, the clock. */
export type LifecycleDeps = { store: EventStore; db: Kysely<Database>; now: () => Date };

/** The operator's side of a mark; the actor also goes into the events' metadata. */
export type MarkInput = { reason: string; actor: string };

export type MarkOutcome = {
  /** false when the mark was already in place (the command decided nothing). */
  changed: boolean;
  /** Wait for the projections to pass it before reading the catalog. */
  position: bigint | null;
};
