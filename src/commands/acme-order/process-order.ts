/**
 * peter_sslers' processing ways: one request runs every step (`all`), or each call runs one,
 * named by the caller or detected from the order's state (`nextStep`). Steps stop at the first
 * failure; a step whose wait ran out stops the run too (a later call or sync continues it).
 */
import { assertStepAllowed, nextStep, type NextStep, type OrderStep } from '../../domain/acme-order/steps.js';
import type { CommandContext } from '../handle.js';
import { answerChallenges } from './answer-challenges.js';
import type { AcmeOrderDeps } from './deps.js';
import { downloadCertificate } from './download-certificate.js';
import { finalizeOrder } from './finalize-order.js';
import { loadOrder, type StepRun } from './order-stream.js';
import { assertOrderNotRateLimited } from './rate-limit.js';
import { submitOrder } from './submit-order.js';
import { fetchAuthorizations, syncOrder } from './sync-order.js';

export type ProcessOptions = {
  /** Run this step (refused when the state rules it out); default: the detected next step. */
  step?: OrderStep;
  /** Keep going until the order is done, failed, or a step does not settle. */
  all?: boolean;
};

export type ProcessReport = { orderId: string; steps: StepRun[]; next: NextStep };

/** More steps than any order needs: a guard against a server that never settles. */
const MAX_STEPS = 12;

export async function runStep(deps: AcmeOrderDeps, orderId: string, step: OrderStep, single: boolean, context: CommandContext): Promise<StepRun[]> {
  switch (step) {
    case 'submit':
      return [await submitOrder(deps, orderId, context)];
    case 'fetch-authorizations':
      return [await fetchAuthorizations(deps, orderId, {}, context)];
    case 'answer-challenge':
      return answerChallenges(deps, orderId, { first: single }, context);
    case 'sync-order':
      return [await syncOrder(deps, orderId, { poll: true }, context)];
    case 'finalize':
      return finalizeOrder(deps, orderId, context);
    case 'download':
      return [await downloadCertificate(deps, orderId, context)];
    default: {
      const _exhaustive: never = step;
      return [];
    }
  }
}

export async function processOrder(deps: AcmeOrderDeps, orderId: string, options: ProcessOptions = {}, context: CommandContext = {}): Promise<ProcessReport> {
  const steps: StepRun[] = [];
  let order = await loadOrder(deps.store, orderId);
  assertOrderNotRateLimited(order, deps.now());
  let step: NextStep = options.step ?? nextStep(order);
  for (let count = 0; count < MAX_STEPS && step !== 'done' && step !== 'failed'; count += 1) {
    assertStepAllowed(order, step);
    const before = JSON.stringify(order);
    const runs = await runStep(deps, orderId, step, !options.all, context);
    steps.push(...runs);
    order = await loadOrder(deps.store, orderId);
    const stop = !options.all || runs.some((run) => !run.ok || !run.settled) || JSON.stringify(order) === before;
    step = nextStep(order);
    if (stop) break;
  }
  return { orderId, steps, next: nextStep(order) };
}
