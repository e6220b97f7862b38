/**
 * One order: its facts, authorizations and challenges, the actions its state allows, and its
 * stream as a timeline. Read as GET /api/v1/acme-orders/:id and /:id/events read it.
 */
import type { Request, Response } from 'express';
import { loadOrder } from '../../../commands/acme-order/order-stream.js';
import { nextStep, type NextStep } from '../../../domain/acme-order/steps.js';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { orderEvents } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { findAcmeAccount } from '../../queries/acme-accounts.js';
import { findOrderView } from '../../queries/acme-orders.js';
import { idParam, parseOrThrow } from '../../schemas/certificate.schema.js';
import { emptyForm, errorSummary, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { badge, facts, isoDate, page, type DashboardContext, type Notice } from '../layout.js';
import { table } from '../lists.js';
import { ctxOf, sendPage } from '../respond.js';
import { orderActions, stepLabel } from './order-buttons.js';
import { accountLabel, statusBadges } from './order-list.js';
import { orderTimeline, problemText } from './order-timeline.js';

type OrderView = NonNullable<Awaited<ReturnType<typeof findOrderView>>>;

const NOTICES: Record<string, Notice> = {
  created: { kind: 'ok', text: 'Order created and sent to the CA.' },
  step: { kind: 'ok', text: 'Step done.' },
  all: { kind: 'ok', text: 'Steps done.' },
  synced: { kind: 'ok', text: 'Order synced with the CA.' },
  retried: { kind: 'ok', text: 'This order retries the failed one and was sent to the CA.' },
  deactivated: { kind: 'ok', text: 'Pending authorizations deactivated.' },
  marked: { kind: 'ok', text: 'Order marked invalid: no step runs on it any more.' },
  failed: { kind: 'error', text: 'The CA refused a step or it did not complete: see the last failure and the timeline.' },
};

const noticeOf = (query: Record<string, unknown>): Notice | undefined =>
  typeof query.done === 'string' && Object.hasOwn(NOTICES, query.done) ? NOTICES[query.done] : undefined;

const link = (href: string, label: string): Html => html`<a href="${href}">${label}</a>`;

function orderFacts(ctx: DashboardContext, o: OrderView, next: NextStep, account: string): Html {
  const failure = o.last_failure as { step?: string; message?: string; problem?: unknown; at?: string } | null;
  // Rows that only matter when set are left out when empty; the rest show a dash.
  const optional: [string, Html | null][] = [
    ['CA error on the order', o.error ? problemText(o.error) : null],
    ['Rate-limited until', o.rate_limited_until ? isoDate(o.rate_limited_until) : null],
    ['Retry of', o.retry_of ? link(`${ctx.base}/orders/${o.retry_of}`, `order ${o.retry_of}`) : null],
    ['Retried by', o.retried_by.length > 0 ? html`${o.retried_by.map((id) => html`${link(`${ctx.base}/orders/${id}`, `order ${id}`)} `)}` : null],
  ];
  return facts([
    ['Status', html`${statusBadges(o)}${o.is_marked_invalid ? html`<br>Reason: ${o.marked_invalid_reason}` : ''}${o.is_revoked ? html` ${badge('revoked')}` : ''}`],
    ['Next step', stepLabel(next)],
    ['Names', html`<ul class="plain">${o.identifiers.map((i) => html`<li><code>${i.value}</code> <span class="muted">by ${i.challenge_type}${i.type === 'ip' ? ', IP address' : ''}</span></li>`)}</ul>`],
    ['Account', link(`${ctx.base}/accounts/${o.acme_account_id}`, account)],
    ['Processing', o.processing === 'all' ? 'all steps at once' : o.processing === 'step' ? 'step by step' : 'created only'],
    ['Key', `${o.key_technology}, policy ${o.key_policy}${o.key_policy_final && o.key_policy_final !== o.key_policy ? ` (applied: ${o.key_policy_final})` : ''}`],
    ['Created', isoDate(o.created_at)],
    ['Submitted', isoDate(o.submitted_at)],
    ['Order expires', isoDate(o.expires_at)],
    ['Finalized', isoDate(o.finalized_at)],
    ['Certificate', o.certificate_id ? link(`${ctx.base}/certificates/${o.certificate_id}`, `Certificate ${o.certificate_id}`) : null],
    ['Order URL', o.order_url ? html`<code>${o.order_url}</code>` : null],
    ['Last failure', failure ? html`step <strong>${failure.step}</strong> at ${isoDate(failure.at)}: ${failure.message}${failure.problem ? html`<br>${problemText(failure.problem)}` : ''}` : null],
    ...optional.filter(([, value]) => value !== null),
  ]);
}

/** One row per challenge the CA offered; the one this order answers is marked. */
function authorizationTable(o: OrderView): Html {
  const wanted = new Map(o.identifiers.map((i) => [i.value, i.challenge_type]));
  const head = html`<th scope="col">Name</th><th scope="col">Authorization</th><th scope="col">Challenge</th><th scope="col">Status</th><th scope="col">Token</th><th scope="col">DNS record</th><th scope="col">CA polls</th><th scope="col">Error</th>`;
  const rows = o.authorizations.flatMap((a) => a.challenges.map((c) => {
    const chosen = wanted.get(a.is_wildcard ? `*.${a.identifier.value}` : a.identifier.value) === c.type;
    return html`<tr><td><code>${a.is_wildcard ? '*.' : ''}${a.identifier.value}</code></td><td>${badge(a.status)}<br><span class="muted">expires ${isoDate(a.expires_at)}</span></td>
<td>${c.type}${chosen ? html` <strong>(answered)</strong>` : ''}</td><td>${badge(c.status)}</td><td><code>${c.token}</code></td>
<td>${c.dns_record_name ? html`<code>${c.dns_record_name} TXT "${c.dns_value}"</code> <span class="muted">${c.dns_record_state}</span>` : html`<span class="muted">—</span>`}</td>
<td>${c.poll_count}${c.last_poll_remote_address ? html` <span class="muted">last from ${c.last_poll_remote_address}</span>` : ''}</td><td>${c.error ? problemText(c.error) : ''}</td></tr>`;
  }));
  return table('Authorizations and their challenges', head, rows, o.order_url ? 'No authorization fetched yet (next step: fetch authorizations).' : 'The CA has not accepted the order yet: it has no authorizations.');
}

/** Renders the page; `mark` is the mark-invalid form when it was refused. */
export async function sendOrderPage(deps: AppDeps, req: Request, res: Response, status = 200, mark: FormState = emptyForm()): Promise<void> {
  const ctx = ctxOf(res);
  const id = parseOrThrow(idParam, req.params.id);
  const order = await findOrderView(deps.db, id);
  if (!order) throw new NotFoundError(`ACME order ${id} not found`);
  const [state, events, account] = await Promise.all([loadOrder(deps.store, id), orderEvents(deps, id), findAcmeAccount(deps.db, order.acme_account_id)]);
  const notice = status === 200 ? noticeOf(req.query) : undefined;
  const title = `Order for ${order.domain_names[0] ?? id}${order.domain_names.length > 1 ? ` and ${order.domain_names.length - 1} more` : ''}`;
  const crumbs = [{ href: `${ctx.base}/orders`, label: 'ACME orders' }];
  const next = nextStep(state);
  sendPage(res, status, page(ctx, { title, section: 'orders', crumbs, ...(notice ? { notice } : {}) }, html`
${errorSummary(mark)}
${orderFacts(ctx, order, next, accountLabel(account, order.acme_account_id))}
<h2>Actions</h2>
${orderActions(ctx, order, state, next, mark)}
<h2>Authorizations and challenges</h2>
${authorizationTable(order)}
<h2 id="timeline">Timeline (${events.length} events)</h2>
${orderTimeline(ctx, events)}`));
}
