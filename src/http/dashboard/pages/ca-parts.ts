/**
 * Pieces the CA pages share: the section's own links, a CA certificate's link and validity word,
 * a chain drawn top to bottom, and download links named from the API's own list of files.
 */
import type { Offered } from '../../openapi/downloads.js';
import { html, type Html } from '../html.js';
import { badge, type DashboardContext } from '../layout.js';

export type CaRef = { id: string; subject: string | null };

/** The native API sits at the admin app's root, beside the dashboard (admin-app.ts). */
export const API = '/api/v1';

const TABS: [string, string][] = [
  ['/ca-certificates', 'CA certificates'],
  ['/ca-chains', 'CA chains'],
  ['/chain-preference', 'Chain preference'],
  ['/ca-certificates/upload', 'Upload a CA certificate'],
];

/** The section's pages (the main navigation has one entry for all of them). */
export const caTabs = (ctx: DashboardContext, current: string): Html =>
  html`<nav aria-label="CA pages" class="actions">${TABS.map(([path, label]) => path === current
    ? html`<strong aria-current="page">${label}</strong>`
    : html`<a href="${ctx.base}${path}">${label}</a>`)}</nav>`;

export const caHref = (ctx: DashboardContext, id: string): string => `${ctx.base}/ca-certificates/${id}`;
export const chainHref = (ctx: DashboardContext, id: string): string => `${ctx.base}/ca-chains/${id}`;

export const caLink = (ctx: DashboardContext, ca: CaRef): Html => html`<a href="${caHref(ctx, ca.id)}">${ca.subject || ca.id}</a>`;

/** Ids are long: the first block is enough to tell chains apart on a page, the link holds the rest. */
export const shortId = (id: string): string => id.slice(0, 8);

/** Whether a CA certificate is in force now, as a word. */
export function validity(now: Date, notBefore: string | Date, notAfter: string | Date): Html {
  const time = now.getTime();
  if (new Date(notAfter).getTime() <= time) return badge('expired');
  if (new Date(notBefore).getTime() > time) return badge('not yet valid');
  return badge('valid');
}

/** A root signs itself; anything else is an intermediate (or a cross-sign). */
export const kind = (isSelfSigned: boolean): Html => badge(isSelfSigned ? 'root' : 'intermediate');

/** A chain as the path a client walks: the issuer of the leaf first, up to the top. */
export function chainPath(ctx: DashboardContext, members: readonly CaRef[]): Html {
  if (members.length === 0) return html`<span class="muted">no known CA certificates</span>`;
  return html`${members.map((ca, index) => html`${index > 0 ? html` <span aria-hidden="true">→</span> ` : ''}${caLink(ctx, ca)}`)}`;
}

const FORMAT_LABELS: Record<string, string> = {
  pem: 'PEM', 'pem.txt': 'PEM as text', cer: 'DER (.cer)', crt: 'DER (.crt)', der: 'DER', key: 'DER key',
};

/** Links to the API's download route for every file it offers, plus its JSON views. */
export function downloadList(apiPath: string, offered: Offered, json: [string, string][]): Html {
  const files = Object.entries(offered).flatMap(([part, extensions]) => extensions.map((extension) => `${part}.${extension}`));
  return html`<ul class="downloads">${files.map((file) => {
    const extension = file.slice(file.indexOf('.') + 1);
    return html`<li><a href="${apiPath}/${file}" download><code>${file}</code></a> <span class="muted">${FORMAT_LABELS[extension] ?? extension}</span></li>`;
  })}${json.map(([path, label]) => html`<li><a href="${apiPath}${path}"><code>${path.replace(/^\//, '') || 'JSON'}</code></a> <span class="muted">${label}</span></li>`)}</ul>`;
}
