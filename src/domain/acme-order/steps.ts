/**
 * What may be asked of an order next. The server's statuses (status.ts) are facts we record;
 * these rules decide which of OUR requests make sense in the state we know, and which one
 * comes next when the caller lets certledger pick (peter_sslers' "process step by step").
 */
import { IllegalStateError, NotFoundError } from '../shared/errors.js';
import { chosenChallenge, finalizeOutcomeUnknown, isKnown, type AcmeOrderState, type AuthorizationView, type OrderView } from './state.js';

export const STEPS = ['submit', 'fetch-authorizations', 'answer-challenge', 'sync-order', 'finalize', 'download'] as const;
export type OrderStep = (typeof STEPS)[number];
export const isOrderStep = (value: unknown): value is OrderStep => STEPS.includes(value as OrderStep);

export type NextStep = OrderStep | 'done' | 'failed';

export function requireOrder(state: AcmeOrderState, orderId: string): OrderView {
  if (!isKnown(state)) throw new NotFoundError(`ACME order ${orderId} not found`);
  return state;
}

/** An order that will not move any more (on the server, or by our mark). */
export const isOrderOver = (order: OrderView): boolean => order.markedInvalid || order.status === 'invalid';

/** Authorizations listed by the order that we have not read yet. */
export function unfetchedAuthorizationUrls(order: OrderView): string[] {
  const known = new Set(Object.values(order.authorizations).map((a) => a.url));
  return order.authorizationUrls.filter((url) => !known.has(url));
}

/** The order's authorizations, in the order's order. */
export function orderAuthorizations(order: OrderView): AuthorizationView[] {
  const byUrl = new Map(Object.values(order.authorizations).map((a) => [a.url, a]));
  return order.authorizationUrls.map((url) => byUrl.get(url)).filter((a): a is AuthorizationView => a !== undefined);
}

/** Pending authorizations whose chosen challenge we still have to answer (or to watch: it is processing). */
export function authorizationsToAnswer(order: OrderView): AuthorizationView[] {
  return orderAuthorizations(order).filter((a) => {
    if (a.status !== 'pending') return false;
    const challenge = chosenChallenge(order, a);
    return challenge !== undefined && (challenge.status === 'pending' || challenge.status === 'processing');
  });
}


/** certledger's pick when the caller names no step. */
export function nextStep(order: OrderView): NextStep {
  if (isOrderOver(order)) return 'failed';
  switch (order.status) {
    case 'created':
      return 'submit';
    case 'pending':
      if (unfetchedAuthorizationUrls(order).length > 0) return 'fetch-authorizations';
      return authorizationsToAnswer(order).length > 0 ? 'answer-challenge' : 'sync-order';
    case 'ready':
      // A finalize that got no answer may have been applied: ask the CA before sending it again.
      return finalizeOutcomeUnknown(order) ? 'sync-order' : 'finalize';
    case 'processing':
      return 'sync-order';
    case 'valid':
      return order.certificateId === null ? 'download' : 'done';
    case 'invalid':
      return 'failed';
    default: {
      const _exhaustive: never = order.status;
      return 'failed';
    }
  }
}

/** Refuses a step the known state rules out, before anything is sent. */
export function assertStepAllowed(order: OrderView, step: OrderStep): void {
  const refuse = (why: string) => {
    throw new IllegalStateError(`ACME order ${order.orderId}: cannot ${step}: ${why}`);
  };
  if (order.markedInvalid && step !== 'sync-order') refuse('it was marked invalid');
  switch (step) {
    case 'submit':
      if (order.status !== 'created') refuse(`it was submitted already (status ${order.status})`);
      return;
    case 'fetch-authorizations':
    case 'sync-order':
      if (order.orderUrl === null) refuse('it was not submitted yet');
      return;
    case 'answer-challenge':
      if (order.status !== 'pending') refuse(`its status is ${order.status}, not pending`);
      if (authorizationsToAnswer(order).length === 0) refuse('no pending authorization is left to answer');
      return;
    case 'finalize':
      if (order.status !== 'ready') refuse(`its status is ${order.status}, not ready (RFC 8555 §7.4)`);
      return;
    case 'download':
      if (order.status !== 'valid' || order.certificateUrl === null) refuse(`its status is ${order.status}: no certificate yet`);
      return;
    default: {
      const _exhaustive: never = step;
      refuse('unknown step');
    }
  }
}

/** A failed or abandoned order can be ordered again (a new order for the same names). */
export const isRetryable = (order: OrderView): boolean =>
  order.status === 'invalid' || order.markedInvalid || (order.status === 'created' && order.lastFailure !== null);
