/** The overview's tables: failing renewals, the last ACME problems, projection lag. */
import type { orderJson } from '../../queries/acme-orders.js';
import type { failingRenewals, LagView } from '../../queries/overview.js';
import { html, type Html } from '../html.js';
import { badge, isoDate, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';

type Json = Record<string, unknown> | null | undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The words of an order's trouble: our failed step's ACME problem, else the server's order error, else our message. */
function problemOf(order: ReturnType<typeof orderJson>): { step?: string; type?: string; detail: string; at?: string } {
  const failure = order.last_failure as Json;
  const problem = (failure?.problem ?? order.error) as Json;
  return {
    step: text(failure?.step),
    type: text(problem?.type),
    detail: text(problem?.detail) ?? text(failure?.message) ?? (order.is_marked_invalid ? order.marked_invalid_reason ?? 'marked invalid' : 'no detail recorded'),
    at: text(failure?.at) ?? order.updated_at,
  };
}

export function acmeProblemsTable(ctx: DashboardContext, orders: ReturnType<typeof orderJson>[]): Html {
  const rows = orders.map((order) => {
    const p = problemOf(order);
    return html`<tr><td><a href="${ctx.base}/orders/${order.id}">${order.domain_names.join(', ')}</a></td><td>${badge(order.status)}</td>
<td>${p.step ?? html`<span class="muted">—</span>`}</td><td>${p.detail}${p.type ? html`<br><code class="muted">${p.type}</code>` : ''}</td><td>${isoDate(p.at)}</td></tr>`;
  });
  return table('ACME orders whose last step failed or that the server made invalid, newest first',
    html`<th scope="col">Order</th><th scope="col">Status</th><th scope="col">Step</th><th scope="col">Problem</th><th scope="col">When</th>`,
    rows, 'No ACME order has failed.');
}

export function failingRenewalsTable(ctx: DashboardContext, rows: Awaited<ReturnType<typeof failingRenewals>>): Html {
  return table('Failing renewal configurations, most failures first',
    html`<th scope="col">Configuration</th><th scope="col" class="num">Failures in a row</th><th scope="col">Last failure</th><th scope="col">Last attempt</th><th scope="col">Next attempt</th>`,
    rows.map((r) => html`<tr><td><a href="${ctx.base}/renewal-configurations/${r.id}">${r.domain_names.join(', ')}</a></td><td class="num">${r.consecutive_failures}</td>
<td>${text((r.last_failure as Json)?.message) ?? html`<span class="muted">—</span>`}</td><td>${isoDate(r.last_attempt_at)}</td><td>${isoDate(r.next_attempt_at)}</td></tr>`),
    'No renewal configuration is failing.');
}

export function lagTable(lag: LagView): Html {
  const state = (behind: bigint | null, error: string | null) => badge(error ? 'error' : behind === null ? 'unknown' : behind === 0n ? 'ok' : 'behind');
  const rows = lag.projections.map((p) => html`<tr><th scope="row">${p.name} <span class="muted">v${p.version}</span></th><td class="num">${p.position.toString()}</td><td class="num">${p.lag.toString()}</td><td>${state(p.lag, p.lastError)}${p.lastError ? html` ${p.lastError}` : ''}</td></tr>`);
  if (lag.prime) {
    const prime = lag.prime;
    rows.push(html`<tr><th scope="row">Redis prime</th><td class="num">${prime.position?.toString() ?? '—'}</td><td class="num">${prime.lag?.toString() ?? '—'}</td><td>${state(prime.lag, prime.lastError)}${prime.lastError ? html` ${prime.lastError}` : ''}</td></tr>`);
  }
  return html`<p>Newest event in the log: position <strong>${lag.head.toString()}</strong>.${lag.prime ? '' : ' No Redis prime runs in this process.'}</p>
${table('Projection lag: events appended that each read model has not applied yet', html`<th scope="col">Read model</th><th scope="col" class="num">Position</th><th scope="col" class="num">Lag (events)</th><th scope="col">State</th>`, rows, 'No projection runs in this process.')}`;
}
