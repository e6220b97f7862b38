/**
 * The order's stream as a timeline, oldest first: every exchange with the CA (method, URL,
 * status, problem, timing), every poll of our http-01 answer, every failure and status change.
 * The data is what /api/v1/acme-orders/:id/events answers: exchanges hold sanitised response
 * bodies only (infra/acme/sanitise.ts) and no event holds key material.
 */
import type { orderEvents } from '../../acme-order-answers.js';
import { html, type Html, type Renderable } from '../html.js';
import { badge, isoDate, type DashboardContext } from '../layout.js';

export type OrderEvent = Awaited<ReturnType<typeof orderEvents>>[number];
type Data = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Data | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : undefined);

/** An ACME problem (RFC 8555 §6.7) in a sentence: type, detail, status, subproblems. */
export function problemText(value: unknown): Html {
  const p = record(value);
  if (!p) return html``;
  const subproblems = Array.isArray(p.subproblems) ? p.subproblems.map(record).filter((s): s is Data => s !== undefined) : [];
  const identifier = (s: Data) => text(record(s.identifier)?.value);
  return html`<span class="problem"><code>${text(p.type) ?? 'problem'}</code>${typeof p.status === 'number' ? ` (${p.status})` : ''}${text(p.detail) ? html`: ${text(p.detail)}` : ''}${subproblems.length > 0
    ? html`<ul>${subproblems.map((s) => html`<li>${identifier(s) ? `${identifier(s)}: ` : ''}<code>${text(s.type) ?? ''}</code> ${text(s.detail) ?? ''}</li>`)}</ul>`
    : ''}</span>`;
}

function exchange(d: Data): Renderable {
  const status = typeof d.status === 'number' ? String(d.status) : 'no answer';
  const error = record(d.error);
  return html`<code>${text(d.method)} ${text(d.url)}</code> → <strong>${status}</strong>
<span class="muted">· ${text(d.requestKind)} · attempt ${String(d.attempt ?? 1)}${d.retrying === true ? ' (will retry)' : ''} · started ${isoDate(text(d.startedAt))} · ${String(d.durationMs ?? '?')} ms</span>
${d.problem ? html`<br>Problem: ${problemText(d.problem)}` : ''}${error ? html`<br>Transport error: ${text(error.kind)}${text(error.code) ? ` ${text(error.code)}` : ''}: ${text(error.message)}` : ''}
${record(d.retryAfter) ? html`<br>Retry after ${isoDate(text(record(d.retryAfter)!.notBefore))}` : ''}`;
}

/** One line per event type: what changed, in words. */
function summary(ctx: DashboardContext, e: OrderEvent): Renderable {
  const d = e.data;
  switch (e.type) {
    case 'AcmeExchangeRecorded':
      return exchange(d);
    case 'AcmeOrderCreated': {
      const identifiers = Array.isArray(d.identifiers) ? d.identifiers.map(record) : [];
      return html`Names: ${identifiers.map((i) => `${text(i?.value)} (${text(i?.challengeType)})`).join(', ')} · key ${text(d.keyPolicy)}, ${text(d.keyTechnology)} · processing ${text(d.processing)}`;
    }
    case 'AcmeOrderSubmitted':
      return html`Order ${badge(text(d.status))} · ${Array.isArray(d.authorizationUrls) ? d.authorizationUrls.length : 0} authorizations · expires ${isoDate(text(d.expires))}`;
    case 'AcmeOrderSynced':
      return html`Order ${badge(text(d.status))}${d.error ? html` · ${problemText(d.error)}` : ''}`;
    case 'AcmeAuthorizationSynced':
      return html`Authorization for <strong>${text(record(d.identifier)?.value)}</strong> ${badge(text(d.status))}${d.wildcard === true ? ' (wildcard)' : ''}`;
    case 'AcmeChallengePrepared':
      return html`${text(d.type)} answer ready for ${text(d.identifier)} · token <code>${text(d.token)}</code>`;
    case 'AcmeDnsRecordSet':
    case 'AcmeDnsRecordRemoved':
      return html`<code>${text(d.recordName)} TXT "${text(d.value)}"</code> ${e.type === 'AcmeDnsRecordSet' ? 'published' : 'removed'} via ${text(d.provider)}`;
    case 'AcmeChallengeTriggered':
      return html`Told the CA to validate: challenge ${badge(text(d.status))}`;
    case 'AcmeChallengeSynced':
      return html`Challenge ${badge(text(d.status))}${d.error ? html` · ${problemText(d.error)}` : ''}`;
    case 'AcmeChallengePolled':
      return html`The CA fetched our http-01 answer from <strong>${text(d.remoteAddress) ?? 'an unknown address'}</strong>${text(d.userAgent) ? html` <span class="muted">(${text(d.userAgent)})</span>` : ''}`;
    case 'AcmeAuthorizationDeactivated':
      return html`Authorization ${badge(text(d.status))} · ${text(d.reason)}`;
    case 'AcmeOrderFinalized':
      return html`CSR sent with a ${text(d.keyTechnology)} key (${text(d.keyPolicy)})`;
    case 'AcmeCertificateDownloaded': {
      const id = text(d.certificateId);
      return html`Certificate <a href="${ctx.base}/certificates/${id}">${id}</a> with ${Array.isArray(d.caChainIds) ? d.caChainIds.length : 0} chain(s)`;
    }
    case 'AcmeOrderStepFailed':
      return html`Step <strong>${text(d.step)}</strong> failed: ${text(d.message)}${d.problem ? html`<br>${problemText(d.problem)}` : ''}`;
    case 'AcmeOrderRateLimited':
      return html`Rate-limited at ${text(d.step)} until ${isoDate(text(record(d.retryAfter)?.notBefore))}${d.problem ? html` · ${problemText(d.problem)}` : ''}`;
    case 'AcmeOrderMarkedInvalid':
      return html`Marked invalid by ${text(d.actor)}: ${text(d.reason)}`;
    case 'AcmeOrderRetried':
      return html`Retried as <a href="${ctx.base}/orders/${text(d.newOrderId)}">order ${text(d.newOrderId)}</a>`;
    case 'AcmeCertificateRevoked':
      return html`Certificate revoked (reason code ${String(d.reasonCode)})`;
    default:
      return '';
  }
}

const FAILED = new Set(['AcmeOrderStepFailed', 'AcmeOrderRateLimited', 'AcmeOrderMarkedInvalid']);

const failed = (e: OrderEvent): boolean => FAILED.has(e.type) || e.data.problem !== undefined || e.data.error !== undefined && e.data.error !== null || e.data.status === 'invalid';

export function orderTimeline(ctx: DashboardContext, events: readonly OrderEvent[]): Html {
  return html`<ol class="timeline" aria-label="Order timeline">${events.map((e) => html`<li class="${failed(e) ? 'failed' : ''}" data-type="${e.type}">
<strong>${e.type}</strong> ${isoDate(e.recorded_at)}<br>${summary(ctx, e)}
<details><summary>Data (revision ${e.revision}, position ${e.position})</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details></li>`)}</ol>`;
}
