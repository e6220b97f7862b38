/**
 * Renewal configurations: the list (search by name, sort, pages), one configuration with its
 * orders, certificates and history, "new order now", and the form that creates one. Same
 * queries and commands as /api/v1/renewal-configurations.
 */
import { Router } from 'express';
import type { CommandContext } from '../../../commands/handle.js';
import { setRenewalConfigurationActive } from '../../../commands/renewal/change-renewal-configuration.js';
import { attemptSiteAwareRenewal } from '../../../commands/site/renewed.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { listRenewalConfigurations, renewalConfigurationJson, RENEWAL_SORTS, type RenewalSort } from '../../queries/renewal-configurations.js';
import { renewalAnswers } from '../../routes/renewal.routes.js';
import { idParam, parseOrThrow } from '../../schemas/certificate.schema.js';
import { html } from '../html.js';
import { badge, isoDate, page } from '../layout.js';
import { listParams, pageOfParams, pager, searchForm, sortHeader, table } from '../lists.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';
import { renewalDetailPage } from './renewal-detail.js';
import { renewalFormRoutes } from './renewal-form.js';
import { lastRenewal, nextDue, renewalHref } from './renewal-status.js';

const CONTEXT: CommandContext = { actor: 'dashboard' };

export function renewalPages(deps: AppDeps): Router {
  const router = Router();
  const { settled } = renewalAnswers(deps);
  const idOf = (raw: unknown) => parseOrThrow(idParam, raw);

  router.get('/renewal-configurations', async (req, res) => {
    const ctx = ctxOf(res);
    const p = listParams(req.query, RENEWAL_SORTS, { sort: 'created_at', dir: 'desc' });
    const { items, total } = await listRenewalConfigurations(deps.db, { q: p.q || undefined, sort: p.sort as RenewalSort, dir: p.dir, ...pageOfParams(p) });
    const path = `${ctx.base}/renewal-configurations`;
    const rows = items.map(renewalConfigurationJson).map((c) => html`<tr>
<td><a href="${renewalHref(ctx, c.id)}">${c.domain_names.join(', ')}</a></td>
<td>${c.primary ? html`<a href="${ctx.base}/accounts/${c.primary.account_id}">${c.primary.account_id.slice(0, 8)}</a>` : '—'}</td>
<td>${badge(c.is_active ? 'active' : 'inactive')}${c.is_auto_renew ? '' : html` <span class="muted">manual</span>`}</td>
<td>${nextDue(c)}</td>
<td>${badge(lastRenewal(c))} ${c.last_attempt_at ? isoDate(c.last_attempt_at) : ''}</td>
<td>${isoDate(c.created_at)}</td></tr>`);
    const head = html`${sortHeader(path, p, 'names', 'Names')}<th scope="col">Account</th><th scope="col">Status</th>${sortHeader(path, p, 'renew_at', 'Next due')}${sortHeader(path, p, 'last_attempt_at', 'Last renewal')}${sortHeader(path, p, 'created_at', 'Created')}`;
    sendPage(res, 200, page(ctx, { title: 'Renewal configurations', section: 'renewal' }, html`
<p class="actions"><a class="button" href="${path}/new">New renewal configuration</a></p>
${searchForm(path, p, 'Search names')}
${table('Renewal configurations', head, rows, p.q ? `No renewal configuration names "${p.q}".` : 'No renewal configurations yet.')}
${pager(path, p, total)}`));
  });

  router.use(renewalFormRoutes(deps));

  router.get('/renewal-configurations/:id', async (req, res) => {
    sendPage(res, 200, await renewalDetailPage(deps, ctxOf(res), idOf(req.params.id), req.query));
  });

  router.post('/renewal-configurations/:id/new-order', async (req, res) => {
    const id = idOf(req.params.id);
    const outcome = await attemptSiteAwareRenewal(orderDepsOf(deps), id, 'manual', CONTEXT);
    await settled(id);
    redirectDone(res, renewalHref(ctxOf(res), id), !outcome.claimed ? 'not-claimed' : outcome.ok ? 'ordered' : 'order-failed');
  });

  for (const [action, active] of [['activate', true], ['deactivate', false]] as const) {
    router.post(`/renewal-configurations/:id/${action}`, async (req, res) => {
      const id = idOf(req.params.id);
      await setRenewalConfigurationActive({ store: deps.store, db: deps.db, now: deps.now, acme: deps.acme }, id, active, CONTEXT);
      await settled(id);
      redirectDone(res, renewalHref(ctxOf(res), id), `${action}d`);
    });
  }
  return router;
}
