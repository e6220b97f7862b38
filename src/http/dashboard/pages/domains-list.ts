/** The domain list: search by part of a name, active/inactive filter, sortable columns, pages. */
import type { DomainListItem } from '../../queries/domain-list.js';
import type { Paged } from '../../queries/lists.js';
import { html, type Html } from '../html.js';
import { badge, isoDate, type DashboardContext } from '../layout.js';
import { pager, searchForm, sortHeader, table, type ListParams } from '../lists.js';

export const DOMAIN_SORTS = ['name', 'created', 'expiry'] as const;

type Served = DomainListItem['certificate_latest_single'];

/** A served certificate as a link with its expiry, or a dash. */
export function servedCell(ctx: DashboardContext, served: Served): Html {
  if (!served) return html`<span class="muted">—</span>`;
  const expired = served.not_after !== null && served.not_after <= ctx.now.toISOString();
  return html`<a href="${ctx.base}/certificates/${served.id}">${served.id.slice(0, 8)}…</a> until ${isoDate(served.not_after)}${expired ? html` ${badge('expired')}` : served.is_active ? '' : html` ${badge('inactive')}`}`;
}

const activeFilter = (active: string): Html => html`<label for="active">Status</label> <select id="active" name="active">
${[['', 'all'], ['true', 'active'], ['false', 'inactive']].map(([value, label]) => html`<option value="${value}"${value === active ? html` selected` : ''}>${label}</option>`)}</select>`;

export function domainList(ctx: DashboardContext, p: ListParams, active: string, found: Paged<DomainListItem>): Html {
  const path = `${ctx.base}/domains`;
  const extra = { active };
  const head = html`${sortHeader(path, p, 'name', 'Name', extra)}<th scope="col">Status</th>${sortHeader(path, p, 'expiry', 'Served certificate expires', extra)}<th scope="col">Latest single-name certificate</th><th scope="col">Latest multi-name certificate</th>${sortHeader(path, p, 'created', 'Created', extra)}`;
  const rows = found.items.map((d) => {
    const soonest = [d.certificate_latest_single?.not_after, d.certificate_latest_multi?.not_after].filter((v): v is string => !!v).sort()[0];
    return html`<tr><td><a href="${ctx.base}/domains/${d.id}">${d.domain_name}</a></td><td>${badge(d.is_active ? 'active' : 'inactive')}</td>
<td>${isoDate(soonest)}</td><td>${servedCell(ctx, d.certificate_latest_single)}</td><td>${servedCell(ctx, d.certificate_latest_multi)}</td><td>${isoDate(d.created_at)}</td></tr>`;
  });
  const filtered = p.q !== '' || active !== '';
  return html`${searchForm(path, p, 'Name contains', activeFilter(active))}
${table('Domains', head, rows, filtered ? 'No domain matches this search.' : 'No domain is known yet: import or order a certificate.')}
${pager(path, p, found.total, extra)}`;
}
