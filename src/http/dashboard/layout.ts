/**
 * The page frame: skip link, navigation, one h1, main landmark. Works in a text browser: the
 * navigation is a plain list of links and every action is a form with a real submit button.
 */
import { html, type Html, type Renderable } from './html.js';

export type Section =
  | 'overview' | 'domains' | 'certificates' | 'orders' | 'renewal' | 'accounts' | 'servers' | 'queues' | 'sites' | 'ca' | 'signin';

/** What every page knows about the request: where the dashboard is, its CSRF token, the clock. */
export type DashboardContext = {
  /** The dashboard's base path (`{adminPrefix}/dashboard`). */
  base: string;
  /** The admin prefix, for links to the peter_sslers routes (downloads, JSON). */
  adminPrefix: string;
  csrf: string;
  now: Date;
  /** Whether the admin token is set (a sign-out button is shown). */
  signedIn: boolean;
};

const NAV: [Section, string, string][] = [
  ['overview', '', 'Overview'],
  ['domains', '/domains', 'Domains'],
  ['certificates', '/certificates', 'Certificates'],
  ['orders', '/orders', 'ACME orders'],
  ['renewal', '/renewal-configurations', 'Renewals'],
  ['accounts', '/accounts', 'Accounts'],
  ['servers', '/acme-servers', 'ACME servers'],
  ['queues', '/queues', 'Queues'],
  ['sites', '/sites', 'Sites'],
  ['ca', '/ca-certificates', 'CA certificates'],
];

export type Notice = { kind: 'ok' | 'error'; text: string };

export type PageOptions = {
  title: string;
  section: Section;
  /** Shown above the h1 (e.g. "Certificates /"). */
  crumbs?: { href: string; label: string }[];
  notice?: Notice;
};

export function page(ctx: DashboardContext, options: PageOptions, body: Renderable): Html {
  const nav = options.section === 'signin' ? '' : html`<nav aria-label="Sections"><ul>${NAV.map(([section, path, label]) => html`<li><a href="${ctx.base}${path || '/'}"${section === options.section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul>${ctx.signedIn ? html`<form method="post" action="${ctx.base}/logout" class="signout">${csrfField(ctx)}<button type="submit">Sign out</button></form>` : ''}</nav>`;
  const crumbs = options.crumbs?.length ? html`<p class="crumbs">${options.crumbs.map((c) => html`<a href="${c.href}">${c.label}</a> / `)}</p>` : '';
  const notice = options.notice ? html`<p class="notice notice-${options.notice.kind}" role="${options.notice.kind === 'error' ? 'alert' : 'status'}">${options.notice.text}</p>` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · certledger</title>
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">
<script src="${ctx.base}/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand"><a href="${ctx.base}/">certledger</a></p>${nav}</header>
<main id="main">
${crumbs}<h1>${options.title}</h1>
${notice}${body}
</main>
</body>
</html>
`;
}

export const csrfField = (ctx: DashboardContext): Html => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

/** A button that POSTs to `action` (an ACME step, a mark): a form of its own, so it works without script. */
export function actionButton(ctx: DashboardContext, action: string, label: string, options: { confirm?: string; fields?: Record<string, string>; primary?: boolean } = {}): Html {
  const hidden = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${action}" class="inline"${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>${csrfField(ctx)}${hidden}<button type="submit"${options.primary ? html` class="primary"` : ''}>${label}</button></form>`;
}

/** A definition list of label → value rows. */
export const facts = (rows: [string, Renderable][]): Html =>
  html`<dl class="facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value ?? html`<span class="muted">—</span>`}</dd>`)}</dl>`;

/** A status word as a badge, coloured by meaning and never by colour alone (the word is the text). */
export function badge(status: string | null | undefined): Html {
  const word = status ?? 'unknown';
  const tone = /^(valid|active|ok|done|success|ready|served|default|deployed|processed|selected)$/.test(word) ? 'good'
    : /^(invalid|failed|revoked|expired|error|inactive|deactivated|stuck)$/.test(word) ? 'bad'
      : /^(pending|processing|created|expiring|due|queued|running|stashed)$/.test(word) ? 'warn' : 'plain';
  return html`<span class="badge badge-${tone}">${word}</span>`;
}

export const isoDate = (value: string | Date | null | undefined): Html => {
  if (!value) return html`<span class="muted">—</span>`;
  const text = typeof value === 'string' ? value : value.toISOString();
  return html`<time datetime="${text}">${text.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`;
};
