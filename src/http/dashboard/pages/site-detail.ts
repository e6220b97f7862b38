/** One site: what it wants and serves, its stash, its actions (deploy again, undeploy, backup) and its stream. */
import { loadSite } from '../../../commands/site/stream.js';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { siteStreams } from '../../../domain/shared/ids.js';
import type { AppDeps } from '../../app-deps.js';
import { listEvents } from '../../queries/audit.js';
import { siteJson } from '../../routes/sites.routes.js';
import type { FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { actionButton, badge, csrfField, facts, isoDate, page, type DashboardContext, type Notice } from '../layout.js';
import { table } from '../lists.js';
import { accountOptions } from './account-options.js';
import { eventTimeline } from './history.js';
import { deployForm } from './site-forms.js';
import { wishText } from './site-list.js';

export const SITE_NOTICES = {
  deployed: 'Site deployed.',
  'deployed-without-tls': 'Site deployed, but without TLS: the order failed (see its history).',
  restored: 'Site restored from the backup.',
  undeployed: 'Site undeployed: its certificate is stashed and no longer renewed.',
};

export async function siteDetailPage(deps: AppDeps, ctx: DashboardContext, siteId: string, deploy: FormState | null, notice?: Notice): Promise<Html> {
  const site = siteJson(await loadSite(deps.store, siteId));
  if (!site) throw new NotFoundError(`Site ${siteId} not found`);
  const [events, accounts] = await Promise.all([
    listEvents(deps, { streams: [siteStreams.site(siteId)] }, 200),
    accountOptions(deps.db, 'As the system policy says'),
  ]);
  const self = `${ctx.base}/sites/${encodeURIComponent(siteId)}`;
  const cert = (id: string) => html`<a href="${ctx.base}/certificates/${id}"><code>${id}</code></a>`;
  const current = site.current;
  const state = deploy ?? { values: { host_names: site.host_names.join('\n'), tls: site.wish.kind }, errors: {} };
  return page(ctx, { title: `Site ${siteId}`, section: 'sites', crumbs: [{ href: `${ctx.base}/sites`, label: 'Sites' }], notice }, html`
${facts([
  ['Status', badge(site.status)],
  ['Host names', site.host_names.join(', ')],
  ['Wants', html`${wishText(site.wish)}${site.wish.kind === 'own' ? html` ${cert(site.wish.certificate_id!)}` : ''}`],
  ['Serves', 'certificate_id' in current && current.certificate_id ? html`${current.kind}: ${cert(current.certificate_id)}${'not_after' in current ? html` until ${isoDate(current.not_after)}` : ''}` : current.kind],
  ['Order running', site.pending_issue ? html`since ${isoDate(site.pending_issue.started_at)}` : null],
])}
<h2>Stashed certificates</h2>
${table('Certificates kept for a later deploy (not renewed)', html`<th scope="col">Certificate</th><th scope="col">Not after</th>`,
  site.stashed_certificates.map((c) => html`<tr><td>${cert(c.certificate_id)}</td><td>${isoDate(c.not_after)}</td></tr>`), 'Nothing is stashed.')}
<h2>Actions</h2>
<div class="actions">
${site.status === 'deployed' ? actionButton(ctx, `${self}/undeploy`, 'Undeploy', { confirm: `Undeploy ${siteId}? Its certificate is stashed and no longer renewed.` }) : ''}
${actionButton(ctx, `${self}/backup`, 'Download backup (includes the private key)')}
</div>
<h3>${site.status === 'deployed' ? 'Deploy again' : 'Deploy'}</h3>
${deployForm(`${self}/deploy`, csrfField(ctx), state, accounts, { siteIdField: false, button: site.status === 'deployed' ? 'Redeploy' : 'Deploy' })}
<h2>History</h2>
${eventTimeline(events.items, 'Site events')}`);
}
