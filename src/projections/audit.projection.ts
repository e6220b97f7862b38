import type { Transaction } from 'kysely';
import type { Database } from '../infra/db/schema.js';
import { applyAuditBatch, auditEventRow } from './audit/batch.js';
import { AUDIT_EVENT_TYPES, subjectStreams, touchesOf, type Learnt } from './audit/touches.js';
import type { Projection } from './projection.js';

type Ref = { ref_kind: 'domain' | 'order'; ref: string; position: bigint };

/**
 * The audit index (history of a domain or an ACME order): one row per event, the domains and
 * orders it touched, and what ids learnt so far resolve to. Event bodies stay in the store.
 * Every write is ON CONFLICT / a set union, so a replay changes nothing.
 */
export const auditProjection: Projection = {
  name: 'audit',
  version: 1,
  eventTypes: AUDIT_EVENT_TYPES,
  tables: ['audit_events', 'audit_refs', 'audit_subjects'],
  // History listings by type and by time; learning reads audit_events by stream only.
  deferredIndexes: ['audit_events_type_idx', 'audit_events_created_idx'],
  async apply(trx, event) {
    await trx.insertInto('audit_events').values(auditEventRow(event)).onConflict((oc) => oc.column('position').doNothing()).execute();

    const touches = touchesOf(event);
    for (const learnt of touches.learn) await learn(trx, learnt, event.position);

    const refs: Ref[] = [
      ...touches.names.map((ref) => ({ ref_kind: 'domain' as const, ref, position: event.position })),
      ...touches.orders.map((ref) => ({ ref_kind: 'order' as const, ref, position: event.position })),
    ];
    if (touches.subjects.length > 0) {
      const known = await trx.selectFrom('audit_subjects').select(['domain_names', 'order_id'])
        .where('subject', 'in', touches.subjects).execute();
      for (const row of known) {
        for (const ref of row.domain_names) refs.push({ ref_kind: 'domain', ref, position: event.position });
        if (row.order_id) refs.push({ ref_kind: 'order', ref: row.order_id, position: event.position });
      }
    }
    await insertRefs(trx, refs);
  },
  applyBatch: applyAuditBatch,
};

async function insertRefs(trx: Transaction<Database>, refs: Ref[]): Promise<void> {
  if (refs.length === 0) return;
  await trx.insertInto('audit_refs').values(refs).onConflict((oc) => oc.doNothing()).execute();
}

/** Merges what the event taught; new names or a new order also reach the subject's own earlier events. */
async function learn(trx: Transaction<Database>, { subject, names = [], orderId }: Learnt, position: bigint): Promise<void> {
  const existing = await trx.selectFrom('audit_subjects').select(['domain_names', 'order_id']).where('subject', '=', subject).executeTakeFirst();
  const before = new Set(existing?.domain_names ?? []);
  const added = names.filter((n) => !before.has(n));
  const newOrder = orderId && !existing?.order_id ? orderId : undefined;
  if (existing && added.length === 0 && !newOrder) return;
  const merged = JSON.stringify([...before, ...added].sort());
  await trx.insertInto('audit_subjects')
    .values({ subject, domain_names: merged, order_id: newOrder ?? existing?.order_id ?? null })
    .onConflict((oc) => oc.column('subject').doUpdateSet({ domain_names: merged, order_id: newOrder ?? existing?.order_id ?? null }))
    .execute();

  const [kind, id] = [subject.slice(0, subject.indexOf(':')), subject.slice(subject.indexOf(':') + 1)];
  const prefix = subjectStreams[kind];
  if (!prefix || (added.length === 0 && !newOrder)) return;
  const earlier = await trx.selectFrom('audit_events').select('position')
    .where('stream_name', '=', `${prefix}${id}`).where('position', '<', position).execute();
  const refs: Ref[] = [];
  for (const { position: at } of earlier) {
    for (const ref of added) refs.push({ ref_kind: 'domain', ref, position: at });
    if (newOrder) refs.push({ ref_kind: 'order', ref: newOrder, position: at });
  }
  await insertRefs(trx, refs);
}
