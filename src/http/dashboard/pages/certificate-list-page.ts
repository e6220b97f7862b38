/**
 * GET /certificates: the API's list (listCertificates) with its own filters as query parameters
 * (`?expiring_within_days=7`, `?active=false`, `?domain=…`, `?ca_chain_id=…`), plus the
 * dashboard's name search, sort and pages.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { CERTIFICATE_SORTS, listCertificates, type CertificateFilters, type CertificateListItem } from '../../queries/certificate-list.js';
import { listQuery, parseOrThrow } from '../../schemas/certificate.schema.js';
import { html, type Html } from '../html.js';
import { isoDate, page } from '../layout.js';
import { listParams, pageOfParams, pager, searchForm, sortHeader, table, type ListParams } from '../lists.js';
import { ctxOf, noticeFrom, sendPage } from '../respond.js';
import { statusBadges, validityText } from './certificate-view.js';

const LIST_KEYS = new Set(['q', 'sort', 'dir', 'page', 'per_page', 'done']);
/** The API's paging is the dashboard's page/per_page here. */
const filterQuery = listQuery.omit({ limit: true, offset: true });

/** The API's filters as given (strings, blanks dropped: an unset select sends one), and as parsed. */
function apiFilters(query: Record<string, unknown>): { given: Record<string, string>; filters: CertificateFilters } {
  const given: Record<string, string> = {};
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (LIST_KEYS.has(key) || value === '') continue;
    raw[key] = value;
    if (typeof value === 'string') given[key] = value;
  }
  return { given, filters: parseOrThrow(filterQuery, raw) };
}

const choice = (id: string, label: string, value: string | undefined, options: [string, string][]): Html =>
  html`<label for="${id}">${label}</label> <select id="${id}" name="${id}">${options.map(([v, text]) => html`<option value="${v}"${v === (value ?? '') ? html` selected` : ''}>${text}</option>`)}</select>`;

/** The four filters the brief names as controls; any other API filter rides along hidden. */
function filterControls(given: Record<string, string>): Html {
  const shown = ['active', 'expired', 'revoked', 'expiring_within_days'];
  const hidden = Object.entries(given).filter(([key]) => !shown.includes(key));
  return html`${choice('active', 'Status', given.active, [['', 'any'], ['true', 'active'], ['false', 'inactive']])}
${choice('expired', 'Expired', given.expired, [['', 'any'], ['false', 'not expired'], ['true', 'expired']])}
${choice('revoked', 'Revoked', given.revoked, [['', 'any'], ['false', 'not revoked'], ['true', 'revoked']])}
<label for="expiring_within_days">Expiring within (days)</label> <input id="expiring_within_days" name="expiring_within_days" type="number" min="0" max="3650" value="${given.expiring_within_days ?? ''}" size="5">
${hidden.map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`)}`;
}

/** The issuer's CN (the DN in full on hover): enough to tell CAs apart in a column. */
function issuerCell(issuer: string): Html {
  const cn = /(?:^|,)\s*CN=((?:\\.|[^,])+)/.exec(issuer)?.[1]?.replace(/\\(.)/g, '$1');
  return html`<span title="${issuer}">${cn ?? issuer}</span>`;
}

function row(base: string, c: CertificateListItem, now: Date): Html {
  return html`<tr><td><a href="${base}/certificates/${c.id}">${c.domain_names.join(', ')}</a></td>
<td>${issuerCell(c.issuer)}</td><td>${isoDate(c.not_before)}</td>
<td>${isoDate(c.not_after)} <span class="muted">(${validityText(c.not_after, now)})</span></td>
<td>${statusBadges(c)}</td><td>${c.key_technology}</td></tr>`;
}

export async function certificateListPage(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const ctx = ctxOf(res);
  const query = req.query as Record<string, unknown>;
  const p: ListParams = listParams(query, Object.keys(CERTIFICATE_SORTS), { sort: 'expires', dir: 'asc' });
  const { given, filters } = apiFilters(query);
  const result = await listCertificates(deps.db, { ...filters, name_contains: p.q || undefined }, pageOfParams(p), ctx.now, {
    by: p.sort as keyof typeof CERTIFICATE_SORTS, dir: p.dir,
  });
  const path = `${ctx.base}/certificates`;
  const head = html`${sortHeader(path, p, 'names', 'Names', given)}<th scope="col">Issuer</th>${sortHeader(path, p, 'issued', 'Issued', given)}${sortHeader(path, p, 'expires', 'Expires', given)}<th scope="col">Status</th><th scope="col">Key</th>`;
  const filtered = Object.keys(given).length > 0 || p.q !== '';
  const body = html`<p class="actions"><a class="button" href="${path}/upload">Upload a certificate</a></p>
${searchForm(path, p, 'Name contains', filterControls(given))}
${filtered ? html`<p><a href="${path}">Clear search and filters</a></p>` : ''}
${table('Certificates', head, result.items.map((c) => row(ctx.base, c, ctx.now)), filtered ? 'No certificate matches.' : 'No certificates yet.')}
${pager(path, p, result.total, given)}`;
  sendPage(res, 200, page(ctx, { title: 'Certificates', section: 'certificates', notice: noticeFrom(query, {}) }, body));
}
