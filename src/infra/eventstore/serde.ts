import { randomUUID } from 'node:crypto';
import { currentRequestId } from '../request-context.js';
import type { Insertable, Selectable } from 'kysely';
import type { EventMetadata } from '../../domain/shared/event.js';
import type { EventsTable } from '../db/schema.js';
import type { NewEvent, RecordedEvent } from './port.js';

/** Turns an event stored under an older schema into the current shape; never writes anything back. */
export type Upcaster = (event: RecordedEvent) => RecordedEvent;

/**
 * Upcasters by event type, applied in order on every read (both adapters). Stored events are
 * never rewritten, so a schema change adds an entry here (with a unit test fed the old JSON).
 */
export const upcasters: Readonly<Record<string, readonly Upcaster[]>> = {};

export function upcast(event: RecordedEvent, registry: Readonly<Record<string, readonly Upcaster[]>> = upcasters): RecordedEvent {
  // Own-property lookup: an event type such as "constructor" must not hit Object.prototype.
  const chain = Object.hasOwn(registry, event.type) ? registry[event.type] : undefined;
  return chain ? chain.reduce((current, step) => step(current), event) : event;
}

/** Metadata as stored: schemaVersion defaults to 1, unknown keys are kept (other writers may add some). */
export function toMetadata(raw: unknown): EventMetadata {
  const fields = isPlainObject(raw) ? raw : {};
  const schemaVersion = typeof fields.schemaVersion === 'number' ? fields.schemaVersion : 1;
  return { ...fields, schemaVersion } as EventMetadata;
}

export function eventId(event: NewEvent): string {
  return event.id ?? randomUUID();
}

/**
 * The JSON written for an event's metadata; both adapters store the same shape. Events appended
 * while an HTTP request runs carry its request id as correlationId unless the caller set one, so
 * an event leads back to the request (and its log lines) that caused it.
 */
export function metadataJson(event: NewEvent): Record<string, unknown> {
  const correlationId = event.metadata?.correlationId ?? currentRequestId();
  return { ...event.metadata, ...(correlationId === undefined ? {} : { correlationId }), schemaVersion: event.metadata?.schemaVersion ?? 1 };
}

export function toEventRow(streamName: string, revision: bigint, event: NewEvent): Insertable<EventsTable> {
  return {
    event_id: eventId(event),
    stream_name: streamName,
    // A string: both pg and PGlite accept it for int8 without precision questions.
    stream_revision: revision.toString(),
    event_type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(metadataJson(event)),
    ...(event.createdAt === undefined ? {} : { created_at: event.createdAt }),
  };
}

export function fromEventRow(row: Selectable<EventsTable>): RecordedEvent {
  return upcast({
    id: row.event_id,
    streamName: row.stream_name,
    revision: row.stream_revision,
    position: row.global_position,
    type: row.event_type,
    data: isPlainObject(row.data) ? row.data : {},
    metadata: toMetadata(row.metadata),
    createdAt: toIsoString(row.created_at),
  });
}

export function toIsoString(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
