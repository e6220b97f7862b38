import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { fromEventRow } from '../../infra/eventstore/serde.js';

export type EventFilters = { streams?: string[]; types?: string[]; since?: Date; until?: Date; after?: bigint };

/** An event as the API and the CLI show it: data and metadata as stored (never key material: keys live in the vault). */
export type EventItem = {
  position: string;
  id: string;
  stream: string;
  revision: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

export type EventPage = { items: EventItem[]; next_after: string | null };

type Deps = { db: Kysely<Database>; store: EventStore };
type IndexRow = { position: bigint; stream_name: string; stream_revision: bigint };

export function toItem(event: RecordedEvent): EventItem {
  return {
    position: event.position.toString(),
    id: event.id,
    stream: event.streamName,
    revision: event.revision.toString(),
    type: event.type,
    created_at: event.createdAt,
    data: event.data,
    metadata: event.metadata,
  };
}

/** Events of the audit index with the filters, oldest first; a page of `limit` and the position to continue after. */
export async function listEvents(deps: Deps, filters: EventFilters, limit: number): Promise<EventPage> {
  let query = deps.db.selectFrom('audit_events').select(['position', 'stream_name', 'stream_revision']);
  if (filters.streams?.length) query = query.where('stream_name', 'in', filters.streams);
  if (filters.types?.length) query = query.where('event_type', 'in', filters.types);
  if (filters.since) query = query.where('created_at', '>=', filters.since);
  if (filters.until) query = query.where('created_at', '<=', filters.until);
  return page(deps, query, filters.after, limit);
}

/** Every event that touched a domain (`domain`, lower-case name) or an ACME order (`order`, its id), oldest first. */
export async function history(deps: Deps, kind: 'domain' | 'order', ref: string, after: bigint | undefined, limit: number): Promise<EventPage> {
  const query = deps.db.selectFrom('audit_events')
    .innerJoin('audit_refs', 'audit_refs.position', 'audit_events.position')
    .where('audit_refs.ref_kind', '=', kind).where('audit_refs.ref', '=', ref)
    .select(['audit_events.position', 'audit_events.stream_name', 'audit_events.stream_revision']);
  return page(deps, query, after, limit, 'audit_events.position');
}

async function page(
  deps: Deps,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query: SelectQueryBuilder<Database, any, IndexRow>,
  after: bigint | undefined,
  limit: number,
  column: 'position' | 'audit_events.position' = 'position',
): Promise<EventPage> {
  let q = query.orderBy(column).limit(limit + 1);
  if (after !== undefined) q = q.where(column, '>', after);
  const rows = (await q.execute()) as IndexRow[];
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  const events = await loadEvents(deps, shown);
  return { items: events.map(toItem), next_after: more ? shown.at(-1)!.position.toString() : null };
}

/** Bodies from the store: one query on PostgreSQL/PGlite; per-stream reads on EventStoreDB (the port's own way). */
export async function loadEvents(deps: Deps, rows: readonly IndexRow[]): Promise<RecordedEvent[]> {
  if (rows.length === 0) return [];
  if (deps.store.kind !== 'eventstoredb') {
    const found = await deps.db.selectFrom('events').selectAll().where('global_position', 'in', rows.map((r) => r.position)).orderBy('global_position').execute();
    return found.map(fromEventRow);
  }
  const byStream = new Map<string, bigint[]>();
  for (const row of rows) byStream.set(row.stream_name, [...(byStream.get(row.stream_name) ?? []), BigInt(row.stream_revision)]);
  const found: RecordedEvent[] = [];
  for (const [stream, revisions] of byStream) {
    const from = revisions.reduce((a, b) => (a < b ? a : b));
    const to = revisions.reduce((a, b) => (a > b ? a : b));
    const wanted = new Set(revisions);
    for (const event of await deps.store.readStream(stream, { fromRevision: from, maxCount: Number(to - from) + 1 })) {
      if (wanted.has(event.revision)) found.push(event);
    }
  }
  return found.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}
