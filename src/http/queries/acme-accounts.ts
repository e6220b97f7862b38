import { sql, type Kysely, type Selectable } from 'kysely';
import { acmeStreams } from '../../domain/shared/ids.js';
import type { AcmeAccountsTable, AcmeServersTable, Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { isId } from './certificates.js';
import { iso, isoOrNull, pageOf, type Page, type Paged } from './lists.js';

export type AcmeServerRow = Selectable<AcmeServersTable>;
export type AcmeAccountRow = Selectable<AcmeAccountsTable>;

export function acmeServerItem(row: AcmeServerRow) {
  return {
    id: row.id,
    name: row.name,
    directory_url: row.directory_url,
    ca_bundle_pem: row.ca_bundle_pem,
    is_default: row.is_default,
    external_account_required: row.external_account_required,
    terms_of_service: row.terms_of_service,
    directory: row.directory,
    directory_sha256: row.directory_sha256,
    directory_fetched_at: isoOrNull(row.directory_fetched_at),
    directory_changed_count: row.directory_changed_count,
    last_failure: row.last_failure,
    last_failure_at: isoOrNull(row.last_failure_at),
    created_at: iso(row.created_at),
  };
}

/** Public facts only: the key is named by its vault id, technology and thumbprints. */
export function acmeAccountItem(row: AcmeAccountRow) {
  return {
    id: row.id,
    acme_server_id: row.acme_server_id,
    status: row.status,
    account_url: row.account_url,
    contact: row.contact,
    key: {
      id: row.key_id,
      technology: row.key_technology,
      jwk_thumbprint: row.key_jwk_thumbprint,
      spki_sha256: row.key_spki_sha256,
      source: row.key_source,
      rolled_over_at: isoOrNull(row.key_rolled_over_at),
      retired_key_ids: row.retired_key_ids,
    },
    order_defaults: {
      private_key_technology: row.order_default_private_key_technology,
      private_key_cycle: row.order_default_private_key_cycle,
    },
    external_account_binding_key_id: row.eab_key_id,
    created_at: iso(row.created_at),
    registered_at: isoOrNull(row.registered_at),
    deactivated_at: isoOrNull(row.deactivated_at),
    last_check: row.last_checked_at ? { result: row.last_check_result, at: iso(row.last_checked_at) } : null,
    last_problem: row.last_problem_at ? { operation: row.last_problem_operation, failure: row.last_problem, at: iso(row.last_problem_at) } : null,
    updated_at: iso(row.updated_at),
  };
}

export async function listAcmeServers(db: Kysely<Database>): Promise<AcmeServerRow[]> {
  return db.selectFrom('acme_servers').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findAcmeServer(db: Kysely<Database>, id: string): Promise<AcmeServerRow | undefined> {
  if (!isId(id)) return undefined;
  return db.selectFrom('acme_servers').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
}

/** The registered server whose directory is on this origin (certbot's `regr.json` names the account URL only). */
export async function findAcmeServersByOrigin(db: Kysely<Database>, origin: string): Promise<AcmeServerRow[]> {
  const rows = await listAcmeServers(db);
  return rows.filter((row) => new URL(row.directory_url).origin === origin);
}

export type AcmeAccountFilters = {
  acme_server_id?: string;
  status?: string;
  /** A substring of a contact address (case-insensitive). */
  contact?: string;
};

const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Columns a list may sort by (the dashboard's). */
export const ACCOUNT_SORTS = ['created_at', 'status', 'key_technology', 'acme_server_id'] as const;
export type AccountOrder = { sort: (typeof ACCOUNT_SORTS)[number]; dir: 'asc' | 'desc' };

/** Without `order`: newest first, as the API has always answered. */
export async function listAcmeAccounts(db: Kysely<Database>, filters: AcmeAccountFilters, page: Page, order?: AccountOrder): Promise<Paged<AcmeAccountRow>> {
  let query = db.selectFrom('acme_accounts').selectAll();
  if (filters.acme_server_id) query = query.where('acme_server_id', '=', filters.acme_server_id);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.contact) query = query.where(sql<boolean>`contact::text ilike ${likePattern(filters.contact)}`);
  const sorted = order ? query.orderBy(order.sort, order.dir).orderBy('created_at', 'desc') : query.orderBy('created_at', 'desc');
  const { rows, total } = await pageOf(sorted.orderBy('id'), page);
  return { items: rows, total, ...page };
}

export async function findAcmeAccount(db: Kysely<Database>, id: string): Promise<AcmeAccountRow | undefined> {
  if (!isId(id)) return undefined;
  return db.selectFrom('acme_accounts').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
}

/**
 * The account's stream as an audit trail: every ACME exchange (method, URL, status, problem,
 * timing, sanitised body) and every outcome, in order. Read from the event store, not projected.
 */
export async function acmeAccountHistory(store: EventStore, id: string, options: { exchangesOnly: boolean; page: Page }) {
  const events = await store.readStream(acmeStreams.acmeAccount(id.toLowerCase()));
  const chosen = options.exchangesOnly ? events.filter((e) => e.type === 'AcmeExchangeRecorded') : events;
  return {
    items: chosen.slice(options.page.offset, options.page.offset + options.page.limit).map((e) => ({
      revision: Number(e.revision),
      position: e.position.toString(),
      type: e.type,
      recorded_at: e.createdAt,
      data: e.data,
    })),
    total: chosen.length,
    ...options.page,
  };
}
