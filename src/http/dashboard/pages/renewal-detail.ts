/** One renewal configuration: its facts, actions, the orders its attempts made, its certificates and its stream. */
import type { AppDeps } from '../../app-deps.js';
import { listEvents } from '../../queries/audit.js';
import { renewalConfigurationOrders } from '../../queries/renewal-configurations.js';
import { renewalConfigurationStream } from '../../../domain/renewal-configuration/events.js';
import { renewalAnswers } from '../../routes/renewal.routes.js';
import { html, type Html } from '../html.js';
import { actionButton, badge, facts, isoDate, page, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { noticeFrom } from '../respond.js';
import { eventTimeline } from './history.js';
import { lastRenewal, nextDue, renewalHref } from './renewal-status.js';

const NOTICES = {
  created: 'Renewal configuration created.',
  ordered: 'A new order was placed and a certificate issued.',
  'order-failed': 'The new order failed: the last failure below says why.',
  'not-claimed': 'No order was placed: another attempt holds this configuration, or it is inactive.',
  activated: 'Renewal configuration activated.',
  deactivated: 'Renewal configuration deactivated.',
};

type Issuer = { account_id: string; key_technology: string | null; key_policy: string | null; profile: string | null } | null;

const issuerText = (ctx: DashboardContext, issuer: Issuer): Html | null => issuer
  && html`<a href="${ctx.base}/accounts/${issuer.account_id}">account ${issuer.account_id.slice(0, 8)}</a> · ${issuer.key_technology} · ${issuer.key_policy}${issuer.profile ? html` · profile ${issuer.profile}` : ''}`;

const link = (href: string, id: string | null) => (id ? html`<a href="${href}/${id}"><code>${id}</code></a>` : null);

export async function renewalDetailPage(deps: AppDeps, ctx: DashboardContext, id: string, query: Record<string, unknown>): Promise<Html> {
  const [c, orders, events] = await Promise.all([
    renewalAnswers(deps).configuration(id),
    renewalConfigurationOrders(deps.db, deps.store, id),
    listEvents(deps, { streams: [renewalConfigurationStream(id)] }, 200),
  ]);
  const notice = noticeFrom(query, NOTICES);
  if (notice && /failed|not-claimed/.test(String(query.done))) notice.kind = 'error';
  const failure = c.last_failure as { message?: unknown; at?: unknown } | null;
  const self = renewalHref(ctx, id);
  const certificates = `${ctx.base}/certificates`;
  const orderLinks = `${ctx.base}/orders`;
  return page(ctx, { title: `Renewal of ${c.domain_names[0] ?? id}`, section: 'renewal', crumbs: [{ href: `${ctx.base}/renewal-configurations`, label: 'Renewal configurations' }], notice }, html`
${facts([
  ['Names', html`${c.identifiers.map((i) => html`<code>${i.value}</code> <span class="muted">(${i.challenge_type})</span> `)}`],
  ['Status', html`${badge(c.is_active ? 'active' : 'inactive')} ${c.is_auto_renew ? 'renewed automatically' : 'renewed on request only'}`],
  ['Primary issuer', issuerText(ctx, c.primary)],
  ['Backup issuer', issuerText(ctx, c.backup) ?? 'none'],
  ['Latest certificate', link(certificates, c.latest_certificate_id)],
  ['Valid', c.latest_not_after ? html`${isoDate(c.latest_not_before)} to ${isoDate(c.latest_not_after)}` : null],
  ['Next due', nextDue(c)],
  ['Last renewal', html`${badge(lastRenewal(c))} ${isoDate(c.last_attempt_at)}`],
  ['Failures in a row', String(c.consecutive_failures)],
  ['Last failure', failure ? html`${typeof failure.message === 'string' ? failure.message : JSON.stringify(failure)}` : null],
  ['Replaces', c.replaces_configuration_id ? html`<a href="${renewalHref(ctx, c.replaces_configuration_id)}">${c.replaces_configuration_id}</a>` : null],
  ['Replaced by', c.replaced_by_configuration_id ? html`<a href="${renewalHref(ctx, c.replaced_by_configuration_id)}">${c.replaced_by_configuration_id}</a>` : null],
  ['Created', isoDate(c.created_at)],
  ['Id', html`<code>${c.id}</code>`],
])}
<div class="actions">
${actionButton(ctx, `${self}/new-order`, 'New order now', { primary: true, confirm: 'Order a new certificate from the ACME server now?' })}
${c.is_active ? actionButton(ctx, `${self}/deactivate`, 'Deactivate', { confirm: 'Stop renewing these names?' }) : actionButton(ctx, `${self}/activate`, 'Activate')}
</div>
<h2>Orders</h2>
${table('ACME orders of this configuration', html`<th scope="col">Order</th><th scope="col">Status</th><th scope="col">Names</th><th scope="col">Certificate</th><th scope="col">Created</th>`,
  orders.map((o) => html`<tr><td>${link(orderLinks, o.id)}</td><td>${badge(o.status)}</td><td>${o.domain_names.join(', ')}</td><td>${link(certificates, o.certificate_id) ?? '—'}</td><td>${isoDate(new Date(o.created_at))}</td></tr>`),
  'No order yet: "New order now" places one.')}
<h2>Certificates</h2>
${table('Certificates this configuration produced', html`<th scope="col">Certificate</th><th scope="col">Not before</th><th scope="col">Not after</th><th scope="col">Order</th><th scope="col">Replaced</th>`,
  c.lineage.map((l) => html`<tr><td>${link(certificates, l.certificate_id)}</td><td>${isoDate(l.not_before)}</td><td>${isoDate(l.not_after)}</td><td>${link(orderLinks, l.acme_order_id) ?? '—'}</td><td>${link(certificates, l.replaces_certificate_id) ?? '—'}</td></tr>`),
  'No certificate yet.')}
<h2>History</h2>
${eventTimeline(events.items, 'Renewal configuration events')}
${events.next_after ? html`<p class="muted">Showing the first ${events.items.length} events.</p>` : ''}`);
}
