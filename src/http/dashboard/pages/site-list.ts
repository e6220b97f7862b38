/** The sites list: the same read of the sites projection as GET /api/v1/sites (queries/sites.ts). */
import type { listSites } from '../../queries/sites.js';
import { html } from '../html.js';
import { badge, isoDate, type DashboardContext } from '../layout.js';
import { listHref, pager, table, type ListParams } from '../lists.js';

type SiteRow = Awaited<ReturnType<typeof listSites>>['rows'][number];

export const wishText = (wish: { kind: string; certificateId?: string; certificate_id?: string }): string => (wish.kind === 'own' ? 'own certificate' : wish.kind === 'acme' ? 'ACME certificate' : 'no TLS');

export function sitesTable(ctx: DashboardContext, p: ListParams, rows: SiteRow[], total: number) {
  const path = `${ctx.base}/sites`;
  const head = html`<th scope="col" aria-sort="${p.dir === 'asc' ? 'ascending' : 'descending'}"><a href="${listHref(path, p, { dir: p.dir === 'asc' ? 'desc' : 'asc', page: 1 })}">Site ${p.dir === 'asc' ? '▲' : '▼'}</a></th><th scope="col">Status</th><th scope="col">Host names</th><th scope="col">Wants</th><th scope="col">Serves</th><th scope="col">Stashed</th><th scope="col">Updated</th>`;
  const body = rows.map((r) => html`<tr><td><a href="${path}/${r.site_id}">${r.site_id}</a></td><td>${badge(r.status)}</td><td>${r.host_names.join(', ')}</td><td>${wishText(r.wish)}</td>
<td>${r.current_certificate_id ? html`<a href="${ctx.base}/certificates/${r.current_certificate_id}">${r.current_kind} ${r.current_certificate_id.slice(0, 8)}</a>${r.current_not_after ? html` until ${isoDate(new Date(r.current_not_after))}` : ''}` : r.current_kind}</td>
<td class="num">${r.stash.length}</td><td>${isoDate(new Date(r.updated_at))}</td></tr>`);
  return html`${table('Sites', head, body, p.q ? `No site serves ${p.q}.` : 'No site yet.')}${pager(path, p, total)}`;
}
