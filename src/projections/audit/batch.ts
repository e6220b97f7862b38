import { sql, type Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { insertJsonRows } from '../catalog/json-rows.js';
import { subjectStreams, touchesOf, type Learnt } from './touches.js';

type Ref = { ref_kind: 'domain' | 'order'; ref: string; position: bigint };
type Subject = { domain_names: string[]; order_id: string | null };

const streamOfSubject = (subject: string): string | undefined => {
  const at = subject.indexOf(':');
  const prefix = subjectStreams[subject.slice(0, at)];
  return prefix ? `${prefix}${subject.slice(at + 1)}` : undefined;
};

/**
 * The audit's batch form, with the same result as `apply` on each event in order: the subjects the
 * run reads and the earlier positions of the streams it may learn about are loaded once, the run is
 * played in memory (each event's own row counts as written before the next event, as one by one),
 * and the rows, refs and final subjects are written in a few statements.
 */
export async function applyAuditBatch(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> {
  const touches = events.map((event) => touchesOf(event));
  const subjectNames = new Set<string>();
  const learntStreams = new Set<string>();
  for (const t of touches) {
    for (const s of t.subjects) subjectNames.add(s);
    for (const l of t.learn) {
      subjectNames.add(l.subject);
      const stream = streamOfSubject(l.subject);
      if (stream) learntStreams.add(stream);
    }
  }
  const subjects = await loadSubjects(trx, [...subjectNames]);
  const positions = await loadPositions(trx, [...learntStreams]);

  const refs = new Map<string, Ref>();
  const addRef = (ref: Ref) => refs.set(`${ref.ref_kind} ${ref.position} ${ref.ref}`, ref);
  const dirty = new Set<string>();

  const learn = ({ subject, names = [], orderId }: Learnt, position: bigint) => {
    const existing = subjects.get(subject);
    const before = new Set(existing?.domain_names ?? []);
    const added = names.filter((n) => !before.has(n));
    const newOrder = orderId && !existing?.order_id ? orderId : undefined;
    if (existing && added.length === 0 && !newOrder) return;
    subjects.set(subject, { domain_names: [...before, ...added].sort(), order_id: newOrder ?? existing?.order_id ?? null });
    dirty.add(subject);
    const stream = streamOfSubject(subject);
    if (!stream || (added.length === 0 && !newOrder)) return;
    for (const at of positions.get(stream) ?? []) {
      if (at >= position) continue;
      for (const ref of added) addRef({ ref_kind: 'domain', ref, position: at });
      if (newOrder) addRef({ ref_kind: 'order', ref: newOrder, position: at });
    }
  };

  events.forEach((event, index) => {
    const t = touches[index]!;
    // Its own row exists before it learns anything: a later event of the same stream finds it.
    if (learntStreams.has(event.streamName)) {
      const list = positions.get(event.streamName) ?? [];
      if (!list.includes(event.position)) list.push(event.position);
      positions.set(event.streamName, list);
    }
    for (const learnt of t.learn) learn(learnt, event.position);
    for (const ref of t.names) addRef({ ref_kind: 'domain', ref, position: event.position });
    for (const ref of t.orders) addRef({ ref_kind: 'order', ref, position: event.position });
    for (const subject of t.subjects) {
      const known = subjects.get(subject);
      if (!known) continue;
      for (const ref of known.domain_names) addRef({ ref_kind: 'domain', ref, position: event.position });
      if (known.order_id) addRef({ ref_kind: 'order', ref: known.order_id, position: event.position });
    }
  });

  await insertJsonRows(trx, 'audit_events', events.map(auditEventRow), sql`ON CONFLICT (position) DO NOTHING`);
  await insertJsonRows(trx, 'audit_refs', [...refs.values()], sql`ON CONFLICT DO NOTHING`);
  const changed = [...dirty].map((subject) => ({ subject, ...(subjects.get(subject) as Subject) }));
  await insertJsonRows(trx, 'audit_subjects', changed,
    sql`ON CONFLICT (subject) DO UPDATE SET domain_names = excluded.domain_names, order_id = excluded.order_id`);
}

async function loadSubjects(trx: Transaction<Database>, names: readonly string[]): Promise<Map<string, Subject>> {
  const subjects = new Map<string, Subject>();
  if (names.length === 0) return subjects;
  const rows = await trx.selectFrom('audit_subjects').select(['subject', 'domain_names', 'order_id'])
    .where(sql<boolean>`subject = ANY(${names}::text[])`).execute();
  for (const row of rows) subjects.set(row.subject, { domain_names: row.domain_names, order_id: row.order_id });
  return subjects;
}

/** Positions already indexed for these streams (learning reaches a subject's earlier events). */
async function loadPositions(trx: Transaction<Database>, streams: readonly string[]): Promise<Map<string, bigint[]>> {
  const positions = new Map<string, bigint[]>();
  if (streams.length === 0) return positions;
  const rows = await trx.selectFrom('audit_events').select(['stream_name', 'position'])
    .where(sql<boolean>`stream_name = ANY(${streams}::text[])`).execute();
  for (const row of rows) {
    const list = positions.get(row.stream_name) ?? [];
    list.push(row.position);
    positions.set(row.stream_name, list);
  }
  return positions;
}

/** The audit_events row of an event (per-event apply and batches alike). */
export const auditEventRow = (event: RecordedEvent) => ({
  position: event.position,
  event_id: event.id,
  stream_name: event.streamName,
  stream_revision: event.revision,
  event_type: event.type,
  created_at: event.createdAt,
});
