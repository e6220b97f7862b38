/** The CA chain list and one chain: its CA certificates from the top down, and the certificates using it. */
import type { EventItem } from '../../queries/audit.js';
import type { CaChainRow } from '../../queries/ca-catalog.js';
import type { CertificateListItem } from '../../queries/certificate-list.js';
import type { findCaChain } from '../../queries/certificates.js';
import type { Paged } from '../../queries/lists.js';
import { CA_CHAIN_FILES } from '../../openapi/downloads.js';
import { html, type Html } from '../html.js';
import { badge, facts, isoDate, type DashboardContext } from '../layout.js';
import { pager, searchForm, sortHeader, table, type ListParams } from '../lists.js';
import { eventTimeline } from './history.js';
import { API, caLink, caTabs, chainHref, chainPath, downloadList, kind, shortId, type CaRef } from './ca-parts.js';

export type CaChainListView = { rows: (CaChainRow & { certificates_count?: string | number | bigint })[]; total: number; members: Map<string, CaRef[]> };

export function caChainList(ctx: DashboardContext, p: ListParams, view: CaChainListView): Html {
  const path = `${ctx.base}/ca-chains`;
  const head = html`<th scope="col">Chain</th><th scope="col">Issuer of the leaf → top</th>${sortHeader(path, p, 'length', 'Length')}${sortHeader(path, p, 'certificates', 'Certificates')}${sortHeader(path, p, 'created_at', 'Known since')}`;
  const rows = view.rows.map((chain) => html`<tr><td><a href="${chainHref(ctx, chain.id)}">${shortId(chain.id)}…</a></td><td>${chainPath(ctx, view.members.get(chain.id) ?? [])}</td>
<td class="num">${chain.ca_certificate_ids.length}</td><td class="num">${Number(chain.certificates_count ?? 0)}</td><td>${isoDate(chain.created_at)}</td></tr>`);
  return html`${caTabs(ctx, '/ca-chains')}
<p>A chain is what a server sends after its certificate. A certificate may have several (its CA\u2019s alternates); the <a href="${ctx.base}/chain-preference">chain preference policy</a> picks the one served.</p>
${searchForm(path, p, 'A CA certificate\u2019s subject contains')}
${table('CA chains', head, rows, p.q ? 'No chain holds a CA certificate with that subject.' : 'No CA chain is known yet.')}
${pager(path, p, view.total)}`;
}

export type CaChainView = {
  chain: NonNullable<Awaited<ReturnType<typeof findCaChain>>>;
  /** The top's issuer when it is not in the catalog (the chain stops below a root we do not hold). */
  topIssuer: { subject: string; known: CaRef | null } | null;
  preferenceSlot: number | null;
  certificates: Paged<CertificateListItem>;
  events: EventItem[];
};

function role(index: number, length: number): string {
  if (length === 1) return 'signs the certificate; top';
  if (index === 0) return 'signs the certificate';
  return index === length - 1 ? 'top, nearest the root' : 'between';
}

function members(ctx: DashboardContext, v: CaChainView): Html {
  const list = v.chain.ca_certificates;
  // Drawn from the top down to the leaf; chain.pem holds them the other way (issuer of the leaf first).
  const rows = list.map((ca, index) => ({ ca, index })).reverse().map(({ ca, index }) => html`<tr><td class="num">${index + 1}</td><td>${caLink(ctx, ca)}</td>
<td>${role(index, list.length)}</td><td>${kind(ca.is_self_signed)}</td><td>${isoDate(ca.not_after)}</td><td><code>${ca.fingerprint_sha1}</code></td></tr>`);
  const above = v.topIssuer
    ? html`<p>The top is issued by ${v.topIssuer.known ? caLink(ctx, v.topIssuer.known) : html`<strong>${v.topIssuer.subject}</strong> <span class="muted">(not in the catalog; clients must trust it already)</span>`}.</p>` : '';
  return html`${above}${table('CA certificates of this chain, top first', html`<th scope="col" class="num">Position in chain.pem</th><th scope="col">Subject</th><th scope="col">Role</th><th scope="col">Kind</th><th scope="col">Valid until</th><th scope="col">SHA-1 fingerprint</th>`, rows, 'This chain holds no known CA certificate.')}`;
}

function certificates(ctx: DashboardContext, v: CaChainView): Html {
  const rows = v.certificates.items.map((c) => {
    const link = c.chains.find((chain) => chain.id === v.chain.id);
    const use = link?.is_selected ? badge('served') : html`${badge('alternate')} <span class="muted">another chain is served</span>`;
    return html`<tr><td><a href="${ctx.base}/certificates/${c.id}">${c.domain_names.join(', ') || c.subject || c.id}</a></td><td>${use}${link?.is_default ? html` ${badge('default')}` : ''}</td>
<td class="num">${c.chains.length}</td><td>${isoDate(c.not_after)}</td></tr>`;
  });
  const more = v.certificates.total > v.certificates.items.length
    ? html`<p>Showing ${v.certificates.items.length} of ${v.certificates.total}; <a href="${ctx.base}/certificates?ca_chain_id=${v.chain.id}">all of them</a>.</p>` : '';
  return html`${table('Certificates using this chain', html`<th scope="col">Names</th><th scope="col">This chain</th><th scope="col" class="num">Chains it has</th><th scope="col">Valid until</th>`, rows, 'No certificate uses this chain.')}${more}`;
}

export function caChainDetail(ctx: DashboardContext, v: CaChainView): Html {
  const top = v.chain.ca_certificates.at(-1);
  return html`${caTabs(ctx, '')}
${facts([
    ['Chain id', html`<code>${v.chain.id}</code>`],
    ['Length', String(v.chain.ca_certificate_ids.length)],
    ['Top', top ? caLink(ctx, top) : null],
    ['Chain preference', v.preferenceSlot
      ? html`its top is <a href="${ctx.base}/chain-preference">entry #${v.preferenceSlot}</a> of the policy`
      : html`<span class="muted">its top is not in the policy</span> (<a href="${ctx.base}/chain-preference">chain preference</a>)`],
    ['Known since', isoDate(v.chain.created_at)],
  ])}
<h2>CA certificates</h2>
${members(ctx, v)}
<h2>Certificates using it</h2>
${certificates(ctx, v)}
<h2>Downloads</h2>
${downloadList(`${API}/ca-chains/${v.chain.id}`, CA_CHAIN_FILES, [['', 'the API\u2019s JSON, with the PEM'], ['/ca-certificates', 'its CA certificates, as JSON'], ['/certificates', 'certificates using it, as JSON']])}
<h2>Event history</h2>
${eventTimeline(v.events, 'Events of this chain')}`;
}
