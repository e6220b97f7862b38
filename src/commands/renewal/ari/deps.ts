import type { Kysely } from 'kysely';
import type { Database } from '../../../infra/db/schema.js';
import type { EventStore } from '../../../infra/eventstore/port.js';
import type { Logger } from '../../../infra/logger.js';
import type { AcmeSessions } from '../../acme/session.js';

export type AriDeps = {
  store: EventStore;
  db: Kysely<Database>;
  acme: Pick<AcmeSessions, 'transportFor'>;
  now: () => Date;
  logger: Logger;
  /** Draws in [0, 1) for the renewal time and poll jitter; tests pass a fixed sequence. */
  random?: () => number;
};
