/**
 * The chain preference policy as an ordered list. Every control is a form posting the whole new
 * order (PUT /api/v1/chain-preference's `fingerprints_sha1`), so moving, adding and removing work
 * without script; `policy_shown` carries the order the page showed, to refuse a stale form.
 */
import type { CaCertificateRow, listChainSelections } from '../../queries/ca-catalog.js';
import type { listChainPreferences } from '../../queries/certificates.js';
import { errorSummary, field, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { badge, csrfField, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { caLink, caTabs, chainHref, shortId } from './ca-parts.js';

export const POLICY_FIELD = 'fingerprints_sha1';
export const SHOWN_FIELD = 'policy_shown';

export type PreferenceView = {
  policy: Awaited<ReturnType<typeof listChainPreferences>>;
  /** CA certificates not in the policy, to add. */
  candidates: CaCertificateRow[];
  /** Chains each CA certificate tops, by id. */
  tops: Map<string, number>;
  selections: Awaited<ReturnType<typeof listChainSelections>>;
};

const hiddenOrder = (order: readonly string[], shown: readonly string[]): Html =>
  html`${order.map((fingerprint) => html`<input type="hidden" name="${POLICY_FIELD}" value="${fingerprint}">`)}<input type="hidden" name="${SHOWN_FIELD}" value="${shown.join(',')}">`;

function orderButton(ctx: DashboardContext, next: readonly string[], shown: readonly string[], label: string, what: string): Html {
  return html`<form method="post" action="${ctx.base}/chain-preference" class="inline">${csrfField(ctx)}${hiddenOrder(next, shown)}<button type="submit" aria-label="${label}: ${what}">${label}</button></form>`;
}

const moved = (list: readonly string[], index: number, by: -1 | 1): string[] => {
  const next = [...list];
  [next[index], next[index + by]] = [next[index + by]!, next[index]!];
  return next;
};

function entries(ctx: DashboardContext, v: PreferenceView, state: FormState): Html {
  const order = v.policy.map((entry) => entry.fingerprint_sha1);
  if (order.length === 0) return html`<p class="empty">No preference set: every certificate serves its CA\u2019s default chain.</p>`;
  return html`<ol class="preference">${v.policy.map((entry, index) => {
    const name = entry.ca_certificate?.subject ?? entry.fingerprint_sha1;
    const error = state.errors[`${POLICY_FIELD}.${index}`];
    const tops = entry.ca_certificate ? v.tops.get(entry.ca_certificate.id) ?? 0 : 0;
    return html`<li id="f-${POLICY_FIELD}.${index}"${error ? html` aria-describedby="f-${POLICY_FIELD}.${index}-error"` : ''}>
${entry.ca_certificate ? caLink(ctx, entry.ca_certificate) : html`<strong>not a known CA certificate</strong>`} <code class="muted">${entry.fingerprint_sha1}</code>
<span class="muted">· tops ${tops} chain${tops === 1 ? '' : 's'}</span>
<span class="actions">${index > 0 ? orderButton(ctx, moved(order, index, -1), order, 'Move up', name) : ''}${index < order.length - 1 ? orderButton(ctx, moved(order, index, 1), order, 'Move down', name) : ''}${orderButton(ctx, order.filter((_, i) => i !== index), order, 'Remove', name)}</span>
${error ? html`<p class="error" id="f-${POLICY_FIELD}.${index}-error">${error}</p>` : ''}</li>`;
  })}</ol>`;
}

function addForm(ctx: DashboardContext, v: PreferenceView, state: FormState): Html {
  const order = v.policy.map((entry) => entry.fingerprint_sha1);
  if (v.candidates.length === 0 && !state.errors[POLICY_FIELD]) return html`<p class="empty">Every known CA certificate is in the policy.</p>`;
  const options: [string, string][] = v.candidates.map((ca) => {
    const tops = v.tops.get(ca.id) ?? 0;
    return [ca.fingerprint_sha1, `${ca.subject} — ${ca.fingerprint_sha1.slice(0, 8)}… (${ca.is_self_signed ? 'root' : 'intermediate'}, tops ${tops} chain${tops === 1 ? '' : 's'})`];
  });
  // The select comes after the hidden entries, so the browser sends it last: the new entry goes to the end.
  return html`<form method="post" action="${ctx.base}/chain-preference">${csrfField(ctx)}${hiddenOrder(order, order)}
${field(state, { name: POLICY_FIELD, label: 'CA certificate', type: 'select', options, hint: 'Only a chain\u2019s top (the CA certificate it holds nearest the root) is compared; an entry that tops no chain changes nothing.' })}
<button type="submit" class="primary">Add to the policy</button></form>`;
}

function selections(ctx: DashboardContext, v: PreferenceView): Html {
  const slots = new Map(v.policy.map((entry) => [entry.fingerprint_sha1, entry.slot]));
  const rows = v.selections.items.map((s) => {
    const slot = s.top_ca_certificate ? slots.get(s.top_ca_certificate.fingerprint_sha1) : undefined;
    const why = slot ? html`preference #${slot}` : s.is_default ? html`the CA\u2019s default` : html`oldest link`;
    return html`<tr><td><a href="${ctx.base}/certificates/${s.certificate_id}">${s.domain_names.join(', ') || s.certificate_id}</a></td>
<td><a href="${chainHref(ctx, s.ca_chain_id)}">${shortId(s.ca_chain_id)}…</a>${s.is_default ? html` ${badge('default')}` : ''}</td>
<td>${s.top_ca_certificate ? caLink(ctx, s.top_ca_certificate) : html`<span class="muted">—</span>`}</td><td>${why}</td><td class="num">${s.chains_count}</td></tr>`;
  });
  const more = v.selections.total > rows.length ? html`<p>Showing ${rows.length} of ${v.selections.total}.</p>` : '';
  return html`${table('Certificates with more than one chain, and the chain each serves now', html`<th scope="col">Certificate</th><th scope="col">Served chain</th><th scope="col">Its top</th><th scope="col">Chosen by</th><th scope="col" class="num">Chains</th>`, rows, 'No certificate has more than one chain: the policy decides nothing yet.')}${more}`;
}

export function preferencePage(ctx: DashboardContext, v: PreferenceView, state: FormState): Html {
  return html`${caTabs(ctx, '/chain-preference')}
<p>When a certificate has several chains, the one whose top comes first in this list is served (config.json, downloads, the Redis prime); with no match, its CA\u2019s default.
The same policy is <code>GET</code>/<code>PUT /api/v1/chain-preference</code>.</p>
${errorSummary(state)}
<h2>Preferred CA certificates, first wins</h2>
${entries(ctx, v, state)}
<h2>Add a CA certificate</h2>
${addForm(ctx, v, state)}
<h2>What each certificate serves now</h2>
${selections(ctx, v)}`;
}
