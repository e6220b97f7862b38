/**
 * One domain: its state, the certificates it serves, every certificate naming it, its history and
 * the activate/deactivate mark (a form with the reason the API requires).
 */
import type { EventPage } from '../../queries/audit.js';
import type { CertificateListItem } from '../../queries/certificate-list.js';
import type { findCertificateSummary } from '../../queries/certificates.js';
import type { DomainListItem } from '../../queries/domain-list.js';
import type { Paged } from '../../queries/lists.js';
import { errorSummary, field, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { badge, csrfField, facts, isoDate, type DashboardContext } from '../layout.js';
import { pager, table, type ListParams } from '../lists.js';
import { eventTimeline } from './history.js';

type Summary = NonNullable<Awaited<ReturnType<typeof findCertificateSummary>>>;

export type DomainView = {
  domain: DomainListItem;
  single: Summary | null;
  multi: Summary | null;
  certificates: Paged<CertificateListItem>;
  certificateParams: ListParams;
  events: EventPage;
};

const certificateStatus = (c: { is_revoked: boolean; is_expired: boolean; is_active: boolean }) =>
  badge(c.is_revoked ? 'revoked' : c.is_expired ? 'expired' : c.is_active ? 'active' : 'inactive');

function servedTable(ctx: DashboardContext, view: DomainView): Html {
  const served: [string, Summary][] = [];
  if (view.single) served.push(['latest single-name', view.single]);
  if (view.multi) served.push(['latest multi-name', view.multi]);
  return table('Certificates this domain serves', html`<th scope="col">Role</th><th scope="col">Certificate</th><th scope="col">Names</th><th scope="col">Expires</th><th scope="col">Status</th>`,
    served.map(([role, c]) => html`<tr><td>${role}</td><td><a href="${ctx.base}/certificates/${c.id}"><code>${c.id}</code></a></td><td>${c.domain_names.join(', ')}</td><td>${isoDate(c.not_after)}</td><td>${certificateStatus(c)}</td></tr>`),
    'This domain serves no certificate.');
}

function namingTable(ctx: DashboardContext, view: DomainView): Html {
  const path = `${ctx.base}/domains/${view.domain.id}`;
  const rows = view.certificates.items.map((c) => html`<tr><td><a href="${ctx.base}/certificates/${c.id}"><code>${c.id}</code></a></td><td>${c.domain_names.join(', ')}</td>
<td>${isoDate(c.not_before)}</td><td>${isoDate(c.not_after)}</td><td>${c.key_technology}</td><td>${certificateStatus(c)}</td></tr>`);
  return html`${table('Every certificate naming this domain, soonest expiry first', html`<th scope="col">Certificate</th><th scope="col">Names</th><th scope="col">Valid from</th><th scope="col">Expires</th><th scope="col">Key</th><th scope="col">Status</th>`,
    rows, 'No certificate names this domain.')}
${view.certificates.total > view.certificateParams.perPage ? pager(path, view.certificateParams, view.certificates.total) : ''}`;
}

/** The one mark that changes something now: deactivate an active domain, activate an inactive one. */
function markForm(ctx: DashboardContext, domain: DomainListItem, state: FormState): Html {
  const action = domain.is_active ? 'deactivate' : 'activate';
  const effect = domain.is_active
    ? 'A deactivated domain is no longer served: config.json answers it as inactive with no certificate, and nginx gets nothing for it.'
    : 'Activating serves the domain again with its latest certificates.';
  return html`<form method="post" action="${ctx.base}/domains/${domain.id}/${action}">${csrfField(ctx)}
<p>${effect}</p>${errorSummary(state)}
${field(state, { name: 'reason', label: 'Reason', required: true, hint: 'Recorded in the domain\u2019s history with your action.' })}
<button type="submit"${domain.is_active ? '' : html` class="primary"`}>${domain.is_active ? 'Deactivate domain' : 'Activate domain'}</button></form>`;
}

export function domainDetail(ctx: DashboardContext, view: DomainView, state: FormState, after: string | undefined): Html {
  const d = view.domain;
  const path = `${ctx.base}/domains/${d.id}`;
  const next = view.events.next_after;
  return html`${facts([
    ['Id', html`<code>${d.id}</code>`],
    ['Status', badge(d.is_active ? 'active' : 'inactive')],
    ['First seen', isoDate(d.created_at)],
  ])}
<section aria-labelledby="h-served"><h2 id="h-served">Served certificates</h2>${servedTable(ctx, view)}</section>
<section aria-labelledby="h-mark"><h2 id="h-mark">${d.is_active ? 'Deactivate' : 'Activate'}</h2>${markForm(ctx, d, state)}</section>
<section aria-labelledby="h-certificates"><h2 id="h-certificates">Certificates naming it</h2>${namingTable(ctx, view)}</section>
<section aria-labelledby="h-history"><h2 id="h-history">History</h2>
${after ? html`<p><a href="${path}#h-history">← From the first event</a></p>` : ''}${eventTimeline(view.events.items, `History of ${d.domain_name}`)}
${next ? html`<p><a href="${path}?after=${next}#h-history">Later events →</a></p>` : ''}</section>`;
}
