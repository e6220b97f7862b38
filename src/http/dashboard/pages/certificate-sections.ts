/** The certificate page's sections: names, key, chains, lineage and the issuing order. */
import type { CertificateListItem } from '../../queries/certificate-list.js';
import type { findCaChain } from '../../queries/certificates.js';
import type { orderJson } from '../../queries/acme-orders.js';
import type { privateKeyItem } from '../../queries/key-catalog.js';
import type { certificateLineage } from '../../queries/renewal-configurations.js';
import { html, type Html } from '../html.js';
import { badge, facts, isoDate, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { viaChainLinks } from './certificate-downloads.js';
import { statusBadges } from './certificate-view.js';

export type ChainView = { id: string; is_default: boolean; is_selected: boolean; chain: Awaited<ReturnType<typeof findCaChain>> };
type Lineage = Awaited<ReturnType<typeof certificateLineage>>;

/** Each name links to its domain's page. */
export function namesSection(ctx: DashboardContext, names: readonly string[], domains: readonly { id: string; domain_name: string }[]): Html {
  const byName = new Map(domains.map((d) => [d.domain_name, d.id]));
  return html`<ul class="names">${names.map((name) => {
    const id = byName.get(name);
    return html`<li>${id ? html`<a href="${ctx.base}/domains/${id}">${name}</a>` : name}</li>`;
  })}</ul>`;
}

/** Public facts of the key only: its material stays in the vault. */
export function keySection(key: ReturnType<typeof privateKeyItem> | null, privateKeyId: string, spkiSha256: string): Html {
  return facts([
    ['Key id', html`<code>${privateKeyId}</code>`],
    ['Technology', key?.key_technology],
    ['SPKI SHA-256', html`<code>${spkiSha256}</code>`],
    ['Source', key?.source],
    ['Compromised', key ? (key.is_compromised ? html`${badge('compromised')} ${key.compromised_reason ?? ''}` : 'no') : undefined],
    ['Certificates using it', key ? `${key.certificates_count} (${key.active_certificates_count} active)` : undefined],
  ]);
}

/** Every chain the certificate is linked to: the CA's default and the one the preference policy selected are marked. */
export function chainsSection(ctx: DashboardContext, certificateId: string, chains: readonly ChainView[]): Html {
  const head = html`<th scope="col">Chain</th><th scope="col">CA certificates (issuer of the leaf first)</th><th scope="col">Marks</th><th scope="col">Served through it</th>`;
  const rows = chains.map((c) => html`<tr${c.is_selected ? html` aria-current="true"` : ''}>
<td><a href="${ctx.base}/ca-chains/${c.id}"><code>${c.id.slice(0, 8)}</code></a></td>
<td>${c.chain ? html`<ol class="chain">${c.chain.ca_certificates.map((ca) => html`<li><a href="${ctx.base}/ca-certificates/${ca.id}">${ca.subject}</a></li>`)}</ol>` : html`<span class="muted">not in the catalog</span>`}</td>
<td>${c.is_default ? badge('default') : ''} ${c.is_selected ? badge('selected') : ''}${!c.is_default && !c.is_selected ? html`<span class="muted">alternate</span>` : ''}</td>
<td>${viaChainLinks(certificateId, c.id, c.chain?.ca_certificate_ids.length ?? 0)}</td></tr>`);
  return html`<p class="hint"><strong>default</strong>: the chain the CA gave first. <strong>selected</strong>: the one served, picked by the chain preference policy (else the default).</p>
${table(`Chains (${chains.length})`, head, rows, 'No chain is linked to this certificate.')}`;
}

const certLink = (ctx: DashboardContext, id: string | null): Html =>
  id ? html`<a href="${ctx.base}/certificates/${id}"><code>${id.slice(0, 8)}</code></a>` : html`<span class="muted">—</span>`;

/**
 * What it renewed and what renewed it (the renewal read model), then every certificate of the
 * same names by issue date, this one marked, for certificates no renewal configuration made.
 */
export function lineageSection(ctx: DashboardContext, certificateId: string, lineage: Lineage, sameNames: readonly CertificateListItem[], total: number): Html {
  const renewal = lineage ? facts([
    ['Renews', certLink(ctx, lineage.replaces_certificate_id)],
    ['Renewed by', certLink(ctx, lineage.replaced_by_certificate_id)],
    ['Renewal configuration', lineage.renewal_configuration_id ? html`<a href="${ctx.base}/renewal-configurations/${lineage.renewal_configuration_id}"><code>${lineage.renewal_configuration_id.slice(0, 8)}</code></a>` : undefined],
  ]) : html`<p class="muted">No renewal configuration has renewed or replaced this certificate.</p>`;
  const head = html`<th scope="col">Certificate</th><th scope="col">Issued</th><th scope="col">Expires</th><th scope="col">Status</th>`;
  const rows = sameNames.map((c) => html`<tr${c.id === certificateId ? html` aria-current="true"` : ''}>
<td>${c.id === certificateId ? html`<strong>this certificate</strong>` : certLink(ctx, c.id)}</td><td>${isoDate(c.not_before)}</td><td>${isoDate(c.not_after)}</td><td>${statusBadges(c)}</td></tr>`);
  const more = total > sameNames.length ? html`<p><a href="${ctx.base}/certificates?unique_fqdn_set_id=${sameNames[0]?.unique_fqdn_set_id ?? ''}&amp;sort=issued&amp;dir=desc">All ${total} certificates of these names</a></p>` : '';
  return html`${renewal}${table('Certificates of the same names, newest first', head, rows, 'None.')}${more}`;
}

export function orderSection(ctx: DashboardContext, orders: readonly ReturnType<typeof orderJson>[]): Html {
  if (orders.length === 0) return html`<p class="muted">No ACME order of ours issued it (uploaded or imported).</p>`;
  return html`<ul>${orders.map((o) => html`<li><a href="${ctx.base}/orders/${o.id}">ACME order <code>${o.id.slice(0, 8)}</code></a> ${badge(o.status)} finalized ${isoDate(o.finalized_at)}, account <a href="${ctx.base}/accounts/${o.acme_account_id}"><code>${o.acme_account_id.slice(0, 8)}</code></a></li>`)}</ul>`;
}
