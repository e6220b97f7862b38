/**
 * ACME accounts: the list (search by contact, sort, pages), one account with its orders and its
 * exchanges with the server, and the new-account form. Same queries and commands as
 * /api/v1/acme-accounts; the key is shown by technology and thumbprint, never itself.
 */
import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { ACCOUNT_SORTS, acmeAccountItem, listAcmeAccounts, listAcmeServers, type AccountOrder } from '../../queries/acme-accounts.js';
import { accountListQuery } from '../../schemas/acme-account.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { html } from '../html.js';
import { badge, isoDate, page } from '../layout.js';
import { listParams, pageOfParams, pager, searchForm, sortHeader, table } from '../lists.js';
import { ctxOf, sendPage } from '../respond.js';
import { accountDetailPage } from './account-detail.js';
import { accountFormRoutes } from './account-form.js';

export function accountsPages(deps: AppDeps): Router {
  const router = Router();

  router.get('/accounts', async (req, res) => {
    const ctx = ctxOf(res);
    const p = listParams(req.query, ACCOUNT_SORTS, { sort: 'created_at', dir: 'desc' });
    // The one filter besides the search: the server (the servers page links here with it).
    const { acme_server_id: server } = parseOrThrow(accountListQuery.pick({ acme_server_id: true }), { acme_server_id: req.query.acme_server_id });
    const extra = { acme_server_id: server };
    const [servers, list] = await Promise.all([
      listAcmeServers(deps.db),
      listAcmeAccounts(deps.db, { contact: p.q || undefined, acme_server_id: server }, pageOfParams(p), { sort: p.sort as AccountOrder['sort'], dir: p.dir }),
    ]);
    const path = `${ctx.base}/accounts`;
    const rows = list.items.map(acmeAccountItem).map((a) => html`<tr>
<td><a href="${path}/${a.id}"><code>${a.id.slice(0, 8)}</code></a></td>
<td>${a.contact.length > 0 ? a.contact.map((c) => c.replace(/^mailto:/, '')).join(', ') : html`<span class="muted">none</span>`}</td>
<td>${servers.find((s) => s.id === a.acme_server_id)?.name ?? a.acme_server_id}</td>
<td>${badge(a.status)}</td>
<td>${a.key.technology}</td>
<td>${isoDate(a.created_at)}</td></tr>`);
    const head = html`<th scope="col">Account</th><th scope="col">Contact</th>${sortHeader(path, p, 'acme_server_id', 'Server', extra)}${sortHeader(path, p, 'status', 'Status', extra)}${sortHeader(path, p, 'key_technology', 'Key', extra)}${sortHeader(path, p, 'created_at', 'Created', extra)}`;
    sendPage(res, 200, page(ctx, { title: 'ACME accounts', section: 'accounts' }, html`
<p class="actions"><a class="button" href="${path}/new">New ACME account</a></p>
${searchForm(path, p, 'Search contacts', server ? html`<input type="hidden" name="acme_server_id" value="${server}">` : '')}
${server ? html`<p>Accounts on one server · <a href="${path}">all servers</a></p>` : ''}
${table('ACME accounts', head, rows, p.q ? `No account has a contact like "${p.q}".` : 'No ACME accounts yet.')}
${pager(path, p, list.total, extra)}`));
  });

  router.use(accountFormRoutes(deps));

  router.get('/accounts/:id', async (req, res) => {
    sendPage(res, 200, await accountDetailPage(deps, ctxOf(res), req.params.id, req.query));
  });
  return router;
}
