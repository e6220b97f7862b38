/**
 * Lists: search box, sortable column headers and pages, all as plain links and GET forms so a
 * text browser can use them. The parameters are validated like any API query (a bad one is a
 * 400 naming it).
 */
import { ValidationError } from '../../domain/shared/errors.js';
import { html, type Html, type Renderable } from './html.js';

export type ListParams = { q: string; sort: string; dir: 'asc' | 'desc'; page: number; perPage: number };

export const PER_PAGE = [25, 50, 100, 250] as const;

const one = (value: unknown): string | undefined => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined);

/** Reads q / sort / dir / page / per_page; `sorts` are the column keys this list can sort by. */
export function listParams(query: Record<string, unknown>, sorts: readonly string[], defaults: { sort: string; dir: 'asc' | 'desc' }): ListParams {
  const errors: Record<string, string> = {};
  const q = (one(query.q) ?? '').trim();
  if (q.length > 253) errors.q = 'at most 253 characters';
  const sort = one(query.sort) ?? defaults.sort;
  if (!sorts.includes(sort)) errors.sort = `one of ${sorts.join(', ')}`;
  const dir = one(query.dir) ?? defaults.dir;
  if (dir !== 'asc' && dir !== 'desc') errors.dir = 'asc or desc';
  const pageText = one(query.page) ?? '1';
  const page = /^\d{1,6}$/.test(pageText) ? Number(pageText) : NaN;
  if (!(page >= 1)) errors.page = 'a page number from 1';
  const perText = one(query.per_page) ?? '50';
  const perPage = Number(perText);
  if (!PER_PAGE.includes(perPage as (typeof PER_PAGE)[number])) errors.per_page = `one of ${PER_PAGE.join(', ')}`;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, 'Invalid list parameters');
  return { q, sort, dir: dir as 'asc' | 'desc', page, perPage };
}

export const pageOfParams = (p: ListParams) => ({ limit: p.perPage, offset: (p.page - 1) * p.perPage });

/** The list's URL with some parameters changed (others kept; defaults left out). */
export function listHref(path: string, p: ListParams, change: Partial<ListParams> = {}, extra: Record<string, string | undefined> = {}): string {
  const next = { ...p, ...change };
  const search = new URLSearchParams();
  if (next.q) search.set('q', next.q);
  search.set('sort', next.sort);
  search.set('dir', next.dir);
  if (next.page !== 1) search.set('page', String(next.page));
  if (next.perPage !== 50) search.set('per_page', String(next.perPage));
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') search.set(k, v);
  return `${path}?${search.toString()}`;
}

/** A column header that sorts by `key` (toggling the direction when it is the current sort). */
export function sortHeader(path: string, p: ListParams, key: string, label: string, extra: Record<string, string | undefined> = {}): Html {
  const current = p.sort === key;
  const dir = current && p.dir === 'asc' ? 'desc' : 'asc';
  const aria = current ? (p.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  const arrow = current ? (p.dir === 'asc' ? ' ▲' : ' ▼') : '';
  return html`<th scope="col"${aria ? html` aria-sort="${aria}"` : ''}><a href="${listHref(path, p, { sort: key, dir, page: 1 }, extra)}">${label}${arrow}</a></th>`;
}

export function searchForm(path: string, p: ListParams, label: string, filters: Renderable = ''): Html {
  return html`<form method="get" action="${path}" class="search" role="search">
<label for="q">${label}</label> <input id="q" name="q" type="search" value="${p.q}" maxlength="253">
<input type="hidden" name="sort" value="${p.sort}"><input type="hidden" name="dir" value="${p.dir}">
${filters}<button type="submit">Search</button></form>`;
}

export function pager(path: string, p: ListParams, total: number, extra: Record<string, string | undefined> = {}): Html {
  const pages = Math.max(1, Math.ceil(total / p.perPage));
  const first = (p.page - 1) * p.perPage + 1;
  const last = Math.min(total, p.page * p.perPage);
  const shown = first > total ? html`none of ${total} on this page` : html`${first}–${last} of ${total}`;
  const link = (page: number, label: string, rel?: string) => html`<a href="${listHref(path, p, { page }, extra)}"${rel ? html` rel="${rel}"` : ''}>${label}</a>`;
  return html`<nav class="pager" aria-label="Pages"><p>${shown}${pages > 1 ? html` · page ${p.page} of ${pages}` : ''}</p>
${p.page > 1 ? link(p.page - 1, '← Previous', 'prev') : ''} ${p.page < pages ? link(p.page + 1, 'Next →', 'next') : ''}${p.page > pages ? html` ${link(pages, 'Last page')}` : ''}</nav>`;
}

/** A table with a caption (screen readers announce it), or a sentence when there is nothing. */
export function table(caption: string, head: Renderable, rows: readonly Renderable[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap"><table><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}
