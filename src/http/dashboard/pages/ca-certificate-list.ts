/** The CA certificate list: search by name or fingerprint, sortable columns, pages. */
import type { CaCertificateRow } from '../../queries/ca-catalog.js';
import { html, type Html } from '../html.js';
import { isoDate, type DashboardContext } from '../layout.js';
import { pager, searchForm, sortHeader, table, type ListParams } from '../lists.js';
import { caHref, kind, validity } from './ca-parts.js';

export type CaCertificateListView = {
  rows: CaCertificateRow[];
  total: number;
  /** Certificates each one signs directly, by CA certificate id. */
  issued: Map<string, number>;
  /** Slot in the chain preference policy, by SHA-1 fingerprint. */
  preferred: Map<string, number>;
};

export function caCertificateList(ctx: DashboardContext, p: ListParams, view: CaCertificateListView): Html {
  const path = `${ctx.base}/ca-certificates`;
  const head = html`${sortHeader(path, p, 'subject', 'Subject')}${sortHeader(path, p, 'issuer', 'Issuer')}<th scope="col">Kind</th>
${sortHeader(path, p, 'not_before', 'Valid from')}${sortHeader(path, p, 'not_after', 'Valid until')}<th scope="col">Status</th>
<th scope="col" class="num">Certificates issued</th><th scope="col">Preference</th>${sortHeader(path, p, 'created_at', 'Known since')}`;
  const rows = view.rows.map((ca) => {
    const slot = view.preferred.get(ca.fingerprint_sha1);
    return html`<tr><td><a href="${caHref(ctx, ca.id)}">${ca.subject || ca.id}</a><br><code class="muted">${ca.fingerprint_sha1}</code></td>
<td>${ca.issuer_ca_certificate_id ? html`<a href="${caHref(ctx, ca.issuer_ca_certificate_id)}">${ca.issuer}</a>` : ca.issuer}</td>
<td>${kind(ca.is_self_signed)}</td><td>${isoDate(ca.not_before)}</td><td>${isoDate(ca.not_after)}</td><td>${validity(ctx.now, ca.not_before, ca.not_after)}</td>
<td class="num">${view.issued.get(ca.id) ?? 0}</td><td>${slot ? html`<a href="${ctx.base}/chain-preference">preferred #${slot}</a>` : html`<span class="muted">—</span>`}</td>
<td>${isoDate(ca.created_at)}</td></tr>`;
  });
  return html`${searchForm(path, p, 'Subject, issuer or fingerprint')}
${table('CA certificates', head, rows, p.q ? 'No CA certificate matches this search.' : 'No CA certificate is known yet: upload one, or a certificate with its chain.')}
${pager(path, p, view.total)}`;
}
