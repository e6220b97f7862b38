/** ACME orders, authorizations, challenges and rate limits from the acme read model. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AcmeAuthorizationsTable, AcmeChallengesTable, AcmeOrdersTable, Database } from '../../infra/db/schema.js';
import { isoOrNull, iso, pageOf, type Page, type Paged } from './lists.js';

export type OrderRow = Selectable<AcmeOrdersTable>;
export type AuthorizationRow = Selectable<AcmeAuthorizationsTable>;
export type ChallengeRow = Selectable<AcmeChallengesTable>;

export function orderJson(row: OrderRow) {
  return {
    id: row.id,
    acme_account_id: row.acme_account_id,
    acme_server_id: row.acme_server_id,
    status: row.status,
    processing: row.processing,
    identifiers: row.identifiers,
    domain_names: row.domain_names,
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    key_policy: row.key_policy,
    key_policy_final: row.key_policy_final,
    key_technology: row.key_technology,
    deactivate_on_failure: row.deactivate_on_failure,
    order_url: row.order_url,
    finalize_url: row.finalize_url,
    certificate_url: row.certificate_url,
    expires_at: isoOrNull(row.expires_at),
    error: row.error,
    last_failure: row.last_failure,
    private_key_id: row.private_key_id,
    csr_id: row.csr_id,
    certificate_id: row.certificate_id,
    is_marked_invalid: row.is_marked_invalid,
    marked_invalid_reason: row.marked_invalid_reason,
    retry_of: row.retry_of,
    retried_by: row.retried_by,
    rate_limited_until: isoOrNull(row.rate_limited_until),
    is_revoked: row.is_revoked,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    submitted_at: isoOrNull(row.submitted_at),
    finalized_at: isoOrNull(row.finalized_at),
    certificate_downloaded_at: isoOrNull(row.certificate_downloaded_at),
  };
}

export function challengeJson(row: ChallengeRow) {
  return {
    id: row.id,
    acme_authorization_id: row.acme_authorization_id,
    acme_order_id: row.acme_order_id,
    url: row.url,
    type: row.type,
    token: row.token,
    domain: row.domain,
    status: row.status,
    // Public by design: it is what the http-01 route serves and what the dns-01 digest is made from.
    key_authorization: row.key_authorization,
    error: row.error,
    validated_at: isoOrNull(row.validated_at),
    triggered_at: isoOrNull(row.triggered_at),
    poll_count: row.poll_count,
    last_polled_at: isoOrNull(row.last_polled_at),
    last_poll_remote_address: row.last_poll_remote_address,
    dns_provider: row.dns_provider,
    dns_record_name: row.dns_record_name,
    dns_value: row.dns_value,
    dns_record_state: row.dns_record_state,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function authorizationJson(row: AuthorizationRow, challenges: ChallengeRow[]) {
  return {
    id: row.id,
    url: row.url,
    acme_order_id: row.acme_order_id,
    identifier: { type: row.identifier_type, value: row.identifier_value },
    status: row.status,
    expires_at: isoOrNull(row.expires_at),
    is_wildcard: row.is_wildcard,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    challenges: challenges.filter((c) => c.acme_authorization_id === row.id).map(challengeJson),
  };
}

export type OrderFilters = {
  status?: string;
  acme_account_id?: string;
  active?: boolean;
  certificate_id?: string;
  /** One of its names contains this (case-insensitive): the dashboard's search box. */
  name_contains?: string;
};

/** Columns a list may sort by (the API's own order is created, newest first). */
export const ORDER_SORTS = { created: 'created_at', updated: 'updated_at', status: 'status', expires: 'expires_at', names: 'first_name' } as const;
export type OrderSort = { by: keyof typeof ORDER_SORTS; dir: 'asc' | 'desc' };

/** Orders still moving: not valid with a certificate, not invalid, not given up. */
const ACTIVE_STATUSES = ['created', 'pending', 'ready', 'processing'];

export async function listOrders(
  db: Kysely<Database>, filters: OrderFilters, page: Page, sort: OrderSort = { by: 'created', dir: 'desc' },
): Promise<Paged<ReturnType<typeof orderJson>>> {
  let query = db.selectFrom('acme_orders').selectAll();
  if (filters.name_contains) {
    const needle = filters.name_contains.toLowerCase();
    // position(), not LIKE: a typed % or _ is a character to find, not a wildcard.
    query = query.where(sql<boolean>`exists (select 1 from jsonb_array_elements_text(acme_orders.domain_names) as n(name) where position(${needle} in n.name) > 0)`);
  }
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.acme_account_id) query = query.where('acme_account_id', '=', filters.acme_account_id);
  if (filters.certificate_id) query = query.where('certificate_id', '=', filters.certificate_id);
  if (filters.active !== undefined) {
    query = filters.active
      ? query.where('status', 'in', ACTIVE_STATUSES).where('is_marked_invalid', '=', false)
      : query.where((eb) => eb.or([eb('status', 'not in', ACTIVE_STATUSES), eb('is_marked_invalid', '=', true)]));
  }
  const column = ORDER_SORTS[sort.by];
  // Names in byte order (they are lower-case A-labels); an order never submitted (no expiry) sorts last either way.
  const sorted = query.orderBy(column === 'first_name' ? sql`(domain_names->>0) collate "C"` : sql.ref(column), (ob) => (sort.dir === 'asc' ? ob.asc() : ob.desc()).nullsLast());
  const { rows, total } = await pageOf(sorted.orderBy('created_at', 'desc').orderBy('id'), page);
  return { items: rows.map(orderJson), total, limit: page.limit, offset: page.offset };
}

export async function findOrderRow(db: Kysely<Database>, id: string): Promise<OrderRow | undefined> {
  return db.selectFrom('acme_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The order's authorizations (in no particular order but by name) and their challenges. */
export async function orderAuthorizations(db: Kysely<Database>, orderId: string): Promise<{ authorizations: AuthorizationRow[]; challenges: ChallengeRow[] }> {
  const authorizations = await db
    .selectFrom('acme_order_authorizations as oa')
    .innerJoin('acme_authorizations as a', 'a.id', 'oa.acme_authorization_id')
    .selectAll('a')
    .where('oa.acme_order_id', '=', orderId)
    .orderBy('a.identifier_value')
    .execute();
  const challenges = authorizations.length === 0
    ? []
    : await db.selectFrom('acme_challenges').selectAll().where('acme_authorization_id', 'in', authorizations.map((a) => a.id)).orderBy('type').execute();
  return { authorizations, challenges };
}

export async function findOrderView(db: Kysely<Database>, id: string) {
  const row = await findOrderRow(db, id);
  if (!row) return null;
  const { authorizations, challenges } = await orderAuthorizations(db, id);
  return { ...orderJson(row), authorizations: authorizations.map((a) => authorizationJson(a, challenges)) };
}

export async function findAuthorization(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('acme_authorizations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const challenges = await db.selectFrom('acme_challenges').selectAll().where('acme_authorization_id', '=', id).orderBy('type').execute();
  return { row, challenges };
}

export async function findChallenge(db: Kysely<Database>, id: string): Promise<ChallengeRow | undefined> {
  return db.selectFrom('acme_challenges').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAuthorizations(db: Kysely<Database>, filters: { status?: string }, page: Page) {
  let query = db.selectFrom('acme_authorizations').selectAll();
  if (filters.status) query = query.where('status', '=', filters.status);
  const { rows, total } = await pageOf(query.orderBy('created_at', 'desc').orderBy('id'), page);
  const challenges = rows.length === 0 ? [] : await db.selectFrom('acme_challenges').selectAll().where('acme_authorization_id', 'in', rows.map((r) => r.id)).execute();
  return { rows, challenges, total };
}

export async function listChallenges(db: Kysely<Database>, filters: { status?: string; type?: string }, page: Page) {
  let query = db.selectFrom('acme_challenges').selectAll();
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.type) query = query.where('type', '=', filters.type);
  return pageOf(query.orderBy('created_at', 'desc').orderBy('id'), page);
}

/** CSRs are kept on the orders that sent them (peter_sslers' certificate requests). */
export async function findCsr(db: Kysely<Database>, by: { orderId?: string; csrId?: string }) {
  let query = db.selectFrom('acme_orders').select(['id', 'csr_id', 'csr_pem', 'private_key_id', 'unique_fqdn_set_id', 'domain_names', 'finalized_at']).where('csr_pem', 'is not', null);
  if (by.orderId) query = query.where('id', '=', by.orderId);
  if (by.csrId) query = query.where('csr_id', '=', by.csrId);
  return query.orderBy('finalized_at', 'desc').executeTakeFirst();
}

export async function listCsrs(db: Kysely<Database>, page: Page) {
  const query = db.selectFrom('acme_orders').select(['id', 'csr_id', 'csr_pem', 'private_key_id', 'unique_fqdn_set_id', 'domain_names', 'finalized_at']).where('csr_pem', 'is not', null);
  return pageOf(query.orderBy('finalized_at', 'desc').orderBy('id'), page);
}

export async function listRateLimits(db: Kysely<Database>, filters: { active?: boolean; acme_account_id?: string }, now: Date, page: Page) {
  let query = db.selectFrom('acme_rate_limits').selectAll();
  if (filters.active !== undefined) query = query.where('not_before', filters.active ? '>' : '<=', now);
  if (filters.acme_account_id) query = query.where('acme_account_id', '=', filters.acme_account_id);
  const { rows, total } = await pageOf(query.orderBy('created_at', 'desc').orderBy('id'), page);
  return {
    items: rows.map((r) => ({
      id: r.id, acme_server_id: r.acme_server_id, acme_account_id: r.acme_account_id, unique_fqdn_set_id: r.unique_fqdn_set_id,
      acme_order_id: r.acme_order_id, step: r.step, not_before: iso(r.not_before), problem: r.problem, created_at: iso(r.created_at),
    })),
    total,
    limit: page.limit,
    offset: page.offset,
  };
}
