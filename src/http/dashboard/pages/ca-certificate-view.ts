/**
 * One CA certificate: its facts, the chains that hold it, what it signs (CA certificates and
 * certificates, as GET /api/v1/ca-certificates/{id}/signs counts them), downloads and its events.
 */
import type { EventItem } from '../../queries/audit.js';
import type { caSignatures, CaCertificateRow } from '../../queries/ca-catalog.js';
import type { CertificateListItem } from '../../queries/certificate-list.js';
import type { Paged } from '../../queries/lists.js';
import { CA_CERTIFICATE_FILES } from '../../openapi/downloads.js';
import { html, type Html } from '../html.js';
import { badge, facts, isoDate, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { eventTimeline } from './history.js';
import { API, caHref, caLink, caTabs, chainHref, chainPath, downloadList, kind, shortId, validity, type CaRef } from './ca-parts.js';

export type CaCertificateView = {
  ca: CaCertificateRow;
  signs: Awaited<ReturnType<typeof caSignatures>>;
  /** The chains holding it, each as its CA certificates in order. */
  chainMembers: Map<string, CaRef[]>;
  certificates: Paged<CertificateListItem>;
  preferenceSlot: number | null;
  events: EventItem[];
};

const list = (values: readonly string[]): Html | null => (values.length === 0 ? null : html`${values.map((v, i) => html`${i > 0 ? html`<br>` : ''}<code>${v}</code>`)}`);

function caFacts(ctx: DashboardContext, v: CaCertificateView): Html {
  const ca = v.ca;
  return facts([
    ['Subject', ca.subject],
    ['Issuer', ca.issuer_ca_certificate_id ? html`<a href="${caHref(ctx, ca.issuer_ca_certificate_id)}">${ca.issuer}</a>` : ca.issuer],
    ['Kind', kind(ca.is_self_signed)],
    ['Status', validity(ctx.now, ca.not_before, ca.not_after)],
    ['Valid from', isoDate(ca.not_before)],
    ['Valid until', isoDate(ca.not_after)],
    ['Serial', html`<code>${ca.serial}</code>`],
    ['SHA-1 fingerprint', html`<code>${ca.fingerprint_sha1}</code>`],
    ['SHA-256 fingerprint', html`<code>${ca.fingerprint_sha256}</code>`],
    ['SPKI SHA-256', html`<code>${ca.spki_sha256}</code>`],
    ['Subject key id', ca.subject_key_id ? html`<code>${ca.subject_key_id}</code>` : null],
    ['Authority key id', ca.authority_key_id ? html`<code>${ca.authority_key_id}</code>` : null],
    ['AIA CA issuers', list(ca.aia_ca_issuers_urls)],
    ['Came from', html`${ca.source}${ca.source_url ? html` (<code>${ca.source_url}</code>)` : ''}`],
    ['Known since', isoDate(ca.created_at)],
    ['Chain preference', v.preferenceSlot
      ? html`<a href="${ctx.base}/chain-preference">entry #${v.preferenceSlot}</a>: chains topped by it are served first`
      : html`<span class="muted">not in the policy</span> (<a href="${ctx.base}/chain-preference">chain preference</a>)`],
  ]);
}

function chains(ctx: DashboardContext, v: CaCertificateView): Html {
  const rows = v.signs.ca_chains.map((c) => html`<tr><td><a href="${chainHref(ctx, c.id)}">${shortId(c.id)}…</a></td>
<td>${c.position === 0 ? 'signs the certificate' : c.position === c.length - 1 ? 'top' : 'between'} (${c.position + 1} of ${c.length})</td>
<td>${chainPath(ctx, v.chainMembers.get(c.id) ?? [])}</td></tr>`);
  return table('Chains holding this CA certificate', html`<th scope="col">Chain</th><th scope="col">Where</th><th scope="col">Issuer of the leaf → top</th>`, rows, 'No chain holds this CA certificate.');
}

function signed(ctx: DashboardContext, v: CaCertificateView): Html {
  const cas = v.signs.ca_certificates.map((c) => html`<tr><td>${caLink(ctx, c)}</td><td>${kind(c.is_self_signed)}</td><td>${c.directly ? 'directly' : 'further down a chain'}</td><td>${isoDate(c.not_after)}</td></tr>`);
  const certificates = v.certificates.items.map((c) => html`<tr><td><a href="${ctx.base}/certificates/${c.id}">${c.domain_names.join(', ') || c.subject || c.id}</a></td>
<td>${isoDate(c.not_after)}</td><td>${badge(c.is_revoked ? 'revoked' : c.is_expired ? 'expired' : c.is_active ? 'active' : 'inactive')}</td></tr>`);
  const more = v.certificates.total > v.certificates.items.length
    ? html`<p>Showing ${v.certificates.items.length} of ${v.certificates.total}; <a href="${ctx.base}/certificates?ca_certificate_id=${v.ca.id}">all of them</a>.</p>` : '';
  return html`${table('CA certificates it signs', html`<th scope="col">Subject</th><th scope="col">Kind</th><th scope="col">How</th><th scope="col">Valid until</th>`, cas, 'It signs no known CA certificate.')}
<p>${v.certificates.total} certificate${v.certificates.total === 1 ? '' : 's'} signed by it (in one of their chains, or by issuer name).</p>
${table('Certificates it signs', html`<th scope="col">Names</th><th scope="col">Valid until</th><th scope="col">Status</th>`, certificates, 'It signs no known certificate.')}${more}`;
}

export function caCertificateDetail(ctx: DashboardContext, v: CaCertificateView): Html {
  const api = `${API}/ca-certificates/${v.ca.id}`;
  return html`${caTabs(ctx, '')}
${caFacts(ctx, v)}
<h2>Downloads</h2>
${downloadList(api, CA_CERTIFICATE_FILES, [['', 'the API\u2019s JSON, with the PEM'], ['/parse.json', 'parsed fields'], ['/signs', 'what it signs, as JSON']])}
<h2>Chains holding it</h2>
${chains(ctx, v)}
<h2>What it signs</h2>
${signed(ctx, v)}
<h2>Event history</h2>
${eventTimeline(v.events, `Events of ${v.ca.subject}`)}`;
}
