/** The order list: search by part of a name, status filter, sortable columns, pages. */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { listAcmeAccounts, type AcmeAccountRow } from '../../queries/acme-accounts.js';
import { listOrders, ORDER_SORTS, type orderJson } from '../../queries/acme-orders.js';
import { orderListQuery } from '../../schemas/acme-order.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { html, type Html } from '../html.js';
import { badge, isoDate, page, type DashboardContext } from '../layout.js';
import { listParams, pageOfParams, pager, searchForm, sortHeader, table, type ListParams } from '../lists.js';
import { ctxOf, sendPage } from '../respond.js';

type OrderItem = ReturnType<typeof orderJson>;

/** The statuses the API's own list filter takes (RFC 8555 §7.1.6 plus our local `created`). */
const STATUSES = orderListQuery.shape.status.unwrap().options;

/** An account as people know it: its first contact, else the start of its id. */
export function accountLabel(account: AcmeAccountRow | undefined, id: string): string {
  const contact = account?.contact?.[0];
  return contact ? contact.replace(/^mailto:/, '') : `account ${id.slice(0, 8)}`;
}

/** A marked order is over for us whatever the CA last said; both are shown, in words. */
export const statusBadges = (o: Pick<OrderItem, 'status' | 'is_marked_invalid'>): Html =>
  o.is_marked_invalid ? html`${badge('invalid')} <span class="muted">marked; ${o.status} at the CA</span>` : badge(o.status);

/** Every account by id (an installation has a handful; 250 is the largest page a list takes). */
export async function accountsById(deps: AppDeps): Promise<Map<string, AcmeAccountRow>> {
  const { items } = await listAcmeAccounts(deps.db, {}, { limit: 250, offset: 0 });
  return new Map(items.map((a) => [a.id, a]));
}

const statusFilter = (status: string): Html => html`<label for="status">Status</label> <select id="status" name="status">
<option value="">any</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}</select>`;

function orderRow(ctx: DashboardContext, o: OrderItem, accounts: Map<string, AcmeAccountRow>): Html {
  const names = o.domain_names.length > 3 ? `${o.domain_names.slice(0, 3).join(', ')} and ${o.domain_names.length - 3} more` : o.domain_names.join(', ');
  return html`<tr><td><a href="${ctx.base}/orders/${o.id}">${names}</a></td>
<td>${statusBadges(o)}</td>
<td><a href="${ctx.base}/accounts/${o.acme_account_id}">${accountLabel(accounts.get(o.acme_account_id), o.acme_account_id)}</a></td>
<td>${isoDate(o.created_at)}</td><td>${isoDate(o.expires_at)}</td>
<td>${o.certificate_id ? html`<a href="${ctx.base}/certificates/${o.certificate_id}">${o.certificate_id.slice(0, 8)}…</a>` : html`<span class="muted">—</span>`}</td></tr>`;
}

function orderList(ctx: DashboardContext, p: ListParams, status: string, items: OrderItem[], total: number, accounts: Map<string, AcmeAccountRow>): Html {
  const path = `${ctx.base}/orders`;
  const extra = { status };
  const head = html`${sortHeader(path, p, 'names', 'Names', extra)}${sortHeader(path, p, 'status', 'Status', extra)}<th scope="col">Account</th>
${sortHeader(path, p, 'created', 'Created', extra)}${sortHeader(path, p, 'expires', 'Order expires', extra)}<th scope="col">Certificate</th>`;
  const filtered = p.q !== '' || status !== '';
  return html`<p class="actions"><a class="button" href="${ctx.base}/orders/new">New order</a></p>
${searchForm(path, p, 'Name contains', statusFilter(status))}
${table('ACME orders', head, items.map((o) => orderRow(ctx, o, accounts)), filtered ? 'No order matches this search.' : 'No order yet: start one with “New order”.')}
${pager(path, p, total, extra)}`;
}

export async function orderListPage(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const ctx = ctxOf(res);
  const p = listParams(req.query, Object.keys(ORDER_SORTS), { sort: 'created', dir: 'desc' });
  const statusText = typeof req.query.status === 'string' ? req.query.status : '';
  // The API's own filter schema: an unknown status is a 400 naming `status`.
  const { status } = parseOrThrow(orderListQuery.pick({ status: true }), statusText === '' ? {} : { status: statusText });
  const [found, accounts] = await Promise.all([
    listOrders(deps.db, { status, name_contains: p.q || undefined }, pageOfParams(p), { by: p.sort as keyof typeof ORDER_SORTS, dir: p.dir }),
    accountsById(deps),
  ]);
  sendPage(res, 200, page(ctx, { title: 'ACME orders', section: 'orders' }, orderList(ctx, p, status ?? '', found.items, found.total, accounts)));
}
