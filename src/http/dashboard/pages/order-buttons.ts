/**
 * The order's action forms. Each is shown only when the order's known state allows it (the
 * same rules the commands enforce: steps.ts, the decider), so a finished order offers none.
 */
import type { OrderView as OrderState } from '../../../domain/acme-order/state.js';
import { isOrderOver, isRetryable, orderAuthorizations, type NextStep } from '../../../domain/acme-order/steps.js';
import type { findOrderView } from '../../queries/acme-orders.js';
import { field, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { actionButton, csrfField, type DashboardContext } from '../layout.js';

type OrderView = NonNullable<Awaited<ReturnType<typeof findOrderView>>>;

const STEP_LABELS: Record<NextStep, string> = {
  submit: 'submit the order',
  'fetch-authorizations': 'fetch authorizations',
  'answer-challenge': 'answer a challenge',
  'sync-order': 'sync the order',
  finalize: 'finalize (send the CSR)',
  download: 'download the certificate',
  done: 'none, the certificate is issued',
  failed: 'none, the order failed or was given up',
};

export const stepLabel = (step: NextStep): string => STEP_LABELS[step];

const STOPPED: Partial<Record<NextStep, string>> = {
  done: 'Nothing is left to run: the certificate is issued.',
  failed: 'Nothing is left to run: the order failed or was marked invalid. Retry it as a new order for the same names.',
};

/** Authorizations deactivate-authorizations would send (§7.5.2): pending ones, those never read included. */
function pendingAuthorizations(state: OrderState): number {
  const known = new Map(orderAuthorizations(state).map((a) => [a.url, a.status]));
  return state.authorizationUrls.filter((url) => (known.get(url) ?? 'pending') === 'pending').length;
}

function markInvalidForm(ctx: DashboardContext, orderId: string, mark: FormState): Html {
  return html`<form method="post" action="${ctx.base}/orders/${orderId}/mark-invalid" class="mark-invalid">${csrfField(ctx)}
${field(mark, { name: 'reason', label: 'Reason to give the order up', required: true, hint: 'Kept in the order’s history. RFC 8555 has no cancel: the order expires at the CA.' })}
<button type="submit">Mark invalid</button></form>`;
}

export function orderActions(ctx: DashboardContext, order: OrderView, state: OrderState, next: NextStep, mark: FormState): Html {
  const path = `${ctx.base}/orders/${order.id}`;
  const moving = next !== 'done' && next !== 'failed';
  const submitted = state.orderUrl !== null;
  const pending = submitted && !isOrderOver(state) && state.status !== 'valid' ? pendingAuthorizations(state) : 0;
  const buttons = [
    // The step shown is the step sent: if the order moved meanwhile, the command refuses it (409) rather than run another.
    moving ? actionButton(ctx, `${path}/process`, `Next step: ${stepLabel(next)}`, { fields: { step: next }, primary: true }) : '',
    moving ? actionButton(ctx, `${path}/process-all`, 'Process all remaining steps') : '',
    submitted ? actionButton(ctx, `${path}/sync`, 'Sync with the CA') : '',
    isRetryable(state) ? actionButton(ctx, `${path}/retry`, 'Retry as a new order', { primary: !moving }) : '',
    pending > 0 ? actionButton(ctx, `${path}/deactivate-authorizations`, `Deactivate ${pending} pending authorization${pending === 1 ? '' : 's'}`, {
      confirm: 'Deactivate the pending authorizations? The order becomes invalid at the CA.',
    }) : '',
  ].filter((b) => b !== '');
  const canMark = state.status !== 'valid' && !isOrderOver(state);
  return html`${STOPPED[next] ? html`<p>${STOPPED[next]}</p>` : ''}
${buttons.length > 0 ? html`<div class="actions">${buttons}</div>` : ''}
${canMark ? markInvalidForm(ctx, order.id, mark) : ''}`;
}
