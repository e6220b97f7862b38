import type { Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';

/** One event type's effect on the catalog tables; idempotent by itself. */
export type CatalogHandler = (trx: Transaction<Database>, event: RecordedEvent) => Promise<void>;
export type CatalogHandlers = Readonly<Record<string, CatalogHandler>>;
