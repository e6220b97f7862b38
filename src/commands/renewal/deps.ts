import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { AcmeSessions } from '../acme/session.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';

/**
 * Creating and editing configurations sends nothing to a CA; with `acme`, a named profile is
 * checked against the server's directory (meta.profiles). Attempts need the order machinery too.
 */
export type RenewalConfigDeps = { store: EventStore; db: Kysely<Database>; now: () => Date; acme?: Pick<AcmeSessions, 'transportFor'> };
export type RenewalDeps = AcmeOrderDeps;
