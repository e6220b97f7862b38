/** One ACME account: public facts, its orders, and its exchanges with the server (the API's `exchanges`). */
import { NotFoundError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { listOrders } from '../../queries/acme-orders.js';
import { acmeAccountHistory, acmeAccountItem, findAcmeServer } from '../../queries/acme-accounts.js';
import { accountAfter, pathId } from '../../routes/acme-accounts.routes.js';
import { html, type Html } from '../html.js';
import { badge, facts, isoDate, page, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { noticeFrom } from '../respond.js';

const NOTICES = { created: 'ACME account created and registered with the server.' };

type Exchange = { method?: string; url?: string; status?: number | null; requestKind?: string; durationMs?: number; problem?: { type?: unknown; detail?: unknown } };

export async function accountDetailPage(deps: AppDeps, ctx: DashboardContext, rawId: string, query: Record<string, unknown>): Promise<Html> {
  const id = pathId(rawId, 'ACME account');
  const account = acmeAccountItem(await accountAfter(deps, id, null));
  const [server, orders, history] = await Promise.all([
    findAcmeServer(deps.db, account.acme_server_id),
    listOrders(deps.db, { acme_account_id: id }, { limit: 100, offset: 0 }),
    acmeAccountHistory(deps.store, id, { exchangesOnly: true, page: { limit: 200, offset: 0 } }),
  ]);
  if (!server) throw new NotFoundError(`ACME server ${account.acme_server_id} not found`);
  const problem = account.last_problem;
  const exchanges = history.items.map((e) => {
    const x = e.data as Exchange;
    return html`<tr><td>${isoDate(e.recorded_at)}</td><td>${x.requestKind ?? ''}</td><td><code>${x.method ?? ''} ${x.url ?? ''}</code></td><td>${x.status ?? html`<span class="muted">no answer</span>`}</td><td>${x.problem ? `${String(x.problem.type)}: ${String(x.problem.detail ?? '')}` : ''}</td><td class="num">${x.durationMs ?? ''} ms</td></tr>`;
  });
  return page(ctx, { title: `ACME account ${id.slice(0, 8)}`, section: 'accounts', crumbs: [{ href: `${ctx.base}/accounts`, label: 'ACME accounts' }], notice: noticeFrom(query, NOTICES) }, html`
${facts([
  ['Status', badge(account.status)],
  ['Server', html`<a href="${ctx.base}/acme-servers">${server.name}</a> <span class="muted">${server.directory_url}</span>`],
  ['Contact', account.contact.length > 0 ? account.contact.map((c) => c.replace(/^mailto:/, '')).join(', ') : null],
  ['Account URL', account.account_url ? html`<code>${account.account_url}</code>` : null],
  ['Key', html`${account.key.technology} · ${account.key.source} · JWK thumbprint <code>${account.key.jwk_thumbprint}</code>`],
  ['Key rolled over', account.key.rolled_over_at ? isoDate(account.key.rolled_over_at) : null],
  ['Order defaults', `${account.order_defaults.private_key_technology} · ${account.order_defaults.private_key_cycle.replaceAll('_', ' ')}`],
  ['External account binding', account.external_account_binding_key_id],
  ['Registered', isoDate(account.registered_at)],
  ['Deactivated', account.deactivated_at ? isoDate(account.deactivated_at) : null],
  ['Last check', account.last_check ? html`${account.last_check.result} ${isoDate(account.last_check.at)}` : null],
  ['Last problem', problem ? html`${problem.operation}: ${JSON.stringify(problem.failure)} ${isoDate(problem.at)}` : null],
  ['Id', html`<code>${account.id}</code>`],
])}
<h2>Orders</h2>
${table(`ACME orders of this account (${orders.total})`, html`<th scope="col">Order</th><th scope="col">Status</th><th scope="col">Names</th><th scope="col">Certificate</th><th scope="col">Created</th>`,
  orders.items.map((o) => html`<tr><td><a href="${ctx.base}/orders/${o.id}"><code>${o.id}</code></a></td><td>${badge(o.status)}</td><td>${o.domain_names.join(', ')}</td><td>${o.certificate_id ? html`<a href="${ctx.base}/certificates/${o.certificate_id}"><code>${o.certificate_id.slice(0, 8)}</code></a>` : '—'}</td><td>${isoDate(o.created_at)}</td></tr>`),
  'This account has placed no order.')}
<h2>Exchanges with the ACME server</h2>
${table(`Requests this account sent (${history.total})`, html`<th scope="col">When</th><th scope="col">Request</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Problem</th><th scope="col" class="num">Took</th>`,
  exchanges, 'No exchange recorded.')}
${history.total > history.items.length ? html`<p class="muted">Showing the first ${history.items.length} of ${history.total}.</p>` : ''}`);
}
