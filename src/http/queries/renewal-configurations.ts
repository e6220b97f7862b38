import { sql, type Kysely, type Selectable } from 'kysely';
import { renewalConfigurationStream } from '../../domain/renewal-configuration/events.js';
import type { Database, RenewalConfigurationsTable } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';

export type RenewalConfigurationRow = Selectable<RenewalConfigurationsTable>;

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function renewalConfigurationJson(row: RenewalConfigurationRow) {
  const side = (accountId: string | null, keyTechnology: string | null, keyPolicy: string | null, profile: string | null) =>
    accountId ? { account_id: accountId, key_technology: keyTechnology, key_policy: keyPolicy, profile } : null;
  return {
    id: row.id,
    is_active: row.is_active,
    is_auto_renew: row.is_auto_renew,
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    domain_names: row.domain_names,
    identifiers: row.identifiers,
    primary: side(row.acme_account_id, row.key_technology, row.key_policy, row.acme_profile),
    backup: side(row.backup_acme_account_id, row.backup_key_technology, row.backup_key_policy, row.backup_acme_profile),
    replaces_configuration_id: row.replaces_configuration_id,
    replaced_by_configuration_id: row.replaced_by_configuration_id,
    latest_certificate_id: row.latest_certificate_id,
    latest_not_before: iso(row.latest_not_before),
    latest_not_after: iso(row.latest_not_after),
    renew_at: iso(row.renew_at),
    next_attempt_at: iso(row.next_attempt_at),
    consecutive_failures: row.consecutive_failures,
    primary_failures: row.primary_failures,
    attempt_running: row.attempt_id !== null,
    last_attempt_at: iso(row.last_attempt_at),
    last_failure: row.last_failure,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export async function findRenewalConfiguration(db: Kysely<Database>, id: string): Promise<RenewalConfigurationRow | undefined> {
  return db.selectFrom('renewal_configurations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Columns a list may sort by (the dashboard's); `names` is the first name of the set. */
export const RENEWAL_SORTS = ['created_at', 'names', 'renew_at', 'last_attempt_at'] as const;
export type RenewalSort = (typeof RENEWAL_SORTS)[number];

export type RenewalListFilter = {
  active?: boolean;
  accountId?: string;
  /** Only these configurations (the renewal queue page: what the run would pick). */
  ids?: readonly string[];
  /** A substring of any of its names (case-insensitive). */
  q?: string;
  sort?: RenewalSort;
  dir?: 'asc' | 'desc';
  limit: number;
  offset: number;
};

const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listRenewalConfigurations(db: Kysely<Database>, filter: RenewalListFilter) {
  let query = db.selectFrom('renewal_configurations');
  if (filter.active !== undefined) query = query.where('is_active', '=', filter.active);
  if (filter.accountId) query = query.where((eb) => eb.or([eb('acme_account_id', '=', filter.accountId!), eb('backup_acme_account_id', '=', filter.accountId!)]));
  if (filter.ids) query = filter.ids.length > 0 ? query.where('id', 'in', [...filter.ids]) : query.where(sql<boolean>`false`);
  if (filter.q) query = query.where(sql<boolean>`domain_names::text ilike ${likePattern(filter.q)}`);
  const dir = filter.dir ?? 'desc';
  // Without a sort: newest first, as the API has always answered.
  const column = filter.sort === 'names' ? sql`domain_names->>0` : sql.ref(filter.sort ?? 'created_at');
  const ordered = query.selectAll().orderBy(column, (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast()).orderBy('id');
  const [rows, total] = await Promise.all([
    ordered.limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows, total: Number(total.n) };
}

/** The ACME orders a configuration's attempts made (its stream names them), newest first. */
export async function renewalConfigurationOrders(db: Kysely<Database>, store: EventStore, configurationId: string) {
  const events = await store.readStream(renewalConfigurationStream(configurationId));
  const orderIds = [...new Set(events.flatMap((e) => (typeof e.data.orderId === 'string' ? [e.data.orderId] : [])))];
  if (orderIds.length === 0) return [];
  return db.selectFrom('acme_orders').select(['id', 'status', 'domain_names', 'acme_account_id', 'certificate_id', 'created_at'])
    .where('id', 'in', orderIds).orderBy('created_at', 'desc').execute();
}

/**
 * The certificates a configuration produced, newest first, each with the one it replaced and
 * the one that replaced it.
 */
export async function renewalLineage(db: Kysely<Database>, configurationId: string) {
  const rows = await db.selectFrom('certificate_lineage as l')
    .leftJoin('certificates as c', 'c.id', 'l.certificate_id')
    .select(['l.certificate_id', 'l.replaces_certificate_id', 'l.replaced_by_certificate_id', 'l.acme_order_id', 'c.not_before', 'c.not_after'])
    .where('l.renewal_configuration_id', '=', configurationId)
    .orderBy('c.not_before', 'desc')
    .execute();
  return rows.map((r) => ({
    certificate_id: r.certificate_id,
    replaces_certificate_id: r.replaces_certificate_id,
    replaced_by_certificate_id: r.replaced_by_certificate_id,
    acme_order_id: r.acme_order_id,
    not_before: iso(r.not_before ?? null),
    not_after: iso(r.not_after ?? null),
  }));
}

/** One certificate's place in its lineage (null if no renewal touched it). */
export async function certificateLineage(db: Kysely<Database>, certificateId: string) {
  return (await db.selectFrom('certificate_lineage').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst()) ?? null;
}

export async function renewalQueueItems(db: Kysely<Database>, status: string | undefined, limit: number) {
  let query = db.selectFrom('renewal_queue').selectAll();
  if (status) query = query.where('status', '=', status);
  const rows = await query.orderBy('queued_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, queued_at: iso(r.queued_at), processed_at: iso(r.processed_at) }));
}
