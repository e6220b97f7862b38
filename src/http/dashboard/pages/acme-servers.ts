/**
 * ACME servers: directory URL, which is the default, the profiles its stored directory lists and
 * how many accounts use it, with "make default" and "refresh" as the API's commands. Profiles
 * come from the directory as last fetched, so the page never waits for the CA.
 */
import { Router } from 'express';
import { loadAcmeServer } from '../../../commands/acme-server/load.js';
import { refreshAcmeServerDirectory } from '../../../commands/acme-server/refresh-acme-server-directory.js';
import { makeAcmeServerDefault } from '../../../commands/acme-server/register-acme-server.js';
import type { AppDeps } from '../../app-deps.js';
import { acmeServerItem, listAcmeAccounts, listAcmeServers } from '../../queries/acme-accounts.js';
import { pathId, serverAfter } from '../../routes/acme-accounts.routes.js';
import { html } from '../html.js';
import { actionButton, badge, isoDate, page } from '../layout.js';
import { table } from '../lists.js';
import { ctxOf, noticeFrom, redirectDone, sendPage } from '../respond.js';

const NOTICES = {
  'made-default': 'That server is now the default for new accounts and orders.',
  refreshed: 'Directory fetched again: unchanged.',
  'refreshed-changed': 'Directory fetched again: it changed, and the new one is in use.',
};

/** meta.profiles of a stored directory (draft-ietf-acme-profiles): name → description. */
function profilesOf(directory: unknown): [string, string][] {
  const profiles = (directory as { meta?: { profiles?: unknown } } | null)?.meta?.profiles;
  if (!profiles || typeof profiles !== 'object') return [];
  return Object.entries(profiles as Record<string, unknown>).map(([name, text]) => [name, typeof text === 'string' ? text : '']);
}

export function acmeServersPages(deps: AppDeps): Router {
  const router = Router();
  const CONTEXT = { actor: 'dashboard' };

  router.get('/acme-servers', async (req, res) => {
    const ctx = ctxOf(res);
    const servers = (await listAcmeServers(deps.db)).map(acmeServerItem);
    const counts = await Promise.all(servers.map(async (s) => (await listAcmeAccounts(deps.db, { acme_server_id: s.id }, { limit: 1, offset: 0 })).total));
    const path = `${ctx.base}/acme-servers`;
    const rows = servers.map((s, i) => {
      const profiles = profilesOf(s.directory);
      const failure = s.last_failure && s.last_failure_at && (!s.directory_fetched_at || s.last_failure_at > s.directory_fetched_at);
      return html`<tr>
<td><strong>${s.name}</strong>${s.is_default ? html` ${badge('default')}` : ''}<br><code>${s.directory_url}</code></td>
<td>${profiles.length > 0 ? html`<ul>${profiles.map(([name, text]) => html`<li><code>${name}</code>${text ? html` <span class="muted">${text}</span>` : ''}</li>`)}</ul>` : html`<span class="muted">none listed</span>`}</td>
<td class="num"><a href="${ctx.base}/accounts?acme_server_id=${s.id}">${counts[i]}</a></td>
<td>${isoDate(s.directory_fetched_at)}${failure ? html`<br>${badge('failed')} ${isoDate(s.last_failure_at)}` : ''}${s.external_account_required ? html`<br>needs external account binding` : ''}</td>
<td><div class="actions">${s.is_default ? '' : actionButton(ctx, `${path}/${s.id}/make-default`, 'Make default', { confirm: `Make ${s.name} the default ACME server?` })}${actionButton(ctx, `${path}/${s.id}/refresh`, 'Refresh directory')}</div></td></tr>`;
    });
    sendPage(res, 200, page(ctx, { title: 'ACME servers', section: 'servers', notice: noticeFrom(req.query, NOTICES) }, html`
<p>Certificate authorities certledger talks to. New accounts go to the default one unless another is named.</p>
${table('ACME servers', html`<th scope="col">Server</th><th scope="col">Profiles</th><th scope="col" class="num">Accounts</th><th scope="col">Directory fetched</th><th scope="col">Actions</th>`, rows, 'No ACME server registered yet (POST /api/v1/acme-servers).')}`));
  });

  router.post('/acme-servers/:id/make-default', async (req, res) => {
    const id = pathId(req.params.id, 'ACME server');
    await loadAcmeServer(deps.store, id);
    const made = await makeAcmeServerDefault(deps, id, false, CONTEXT);
    await serverAfter(deps, id, made.position);
    redirectDone(res, `${ctxOf(res).base}/acme-servers`, 'made-default');
  });

  router.post('/acme-servers/:id/refresh', async (req, res) => {
    const id = pathId(req.params.id, 'ACME server');
    const refreshed = await refreshAcmeServerDirectory(deps, id, CONTEXT);
    await serverAfter(deps, id, refreshed.position);
    redirectDone(res, `${ctxOf(res).base}/acme-servers`, refreshed.changed ? 'refreshed-changed' : 'refreshed');
  });
  return router;
}
