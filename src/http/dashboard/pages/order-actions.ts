/**
 * The order's POST actions: the commands of the /api/v1/acme-orders/:id/* routes with their
 * schemas. Each waits for the read model (settleSteps, as the API does) and goes back to the
 * order page; a step the CA refused is recorded on the order, so it is a notice there, not an error.
 */
import type { Request, Response } from 'express';
import { deactivateAuthorizations } from '../../../commands/acme-order/deactivate-authorizations.js';
import { markOrderInvalid } from '../../../commands/acme-order/mark-order-invalid.js';
import type { StepRun } from '../../../commands/acme-order/order-stream.js';
import { processOrder } from '../../../commands/acme-order/process-order.js';
import { retryOrder } from '../../../commands/acme-order/retry-order.js';
import { syncOrder } from '../../../commands/acme-order/sync-order.js';
import { orderDepsOf, settleSteps } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { markInvalidBody, processBody, retryBody } from '../../schemas/acme-order.schema.js';
import { idParam, parseOrThrow } from '../../schemas/certificate.schema.js';
import { formFailure, formValues } from '../forms.js';
import { ctxOf, redirectDone } from '../respond.js';
import { sendOrderPage } from './order-detail.js';

const ACTOR = { actor: 'dashboard' };

type Action = (deps: AppDeps, req: Request, res: Response) => Promise<void>;

/** Runs steps on the order, then back to it with `done` (or `failed` when a step did not complete). */
const stepAction = (done: string, run: (deps: AppDeps, orderId: string, body: Record<string, string>) => Promise<StepRun[]>): Action => async (deps, req, res) => {
  const orderId = parseOrThrow(idParam, req.params.id);
  const runs = await run(deps, orderId, formValues(req.body));
  const outcome = await settleSteps(deps, orderId, runs);
  redirectDone(res, `${ctxOf(res).base}/orders/${orderId}`, outcome.failed ? 'failed' : done);
};

export const processAction = stepAction('step', async (deps, orderId, body) => {
  const { step } = parseOrThrow(processBody, body);
  return (await processOrder(orderDepsOf(deps), orderId, step ? { step } : {}, ACTOR)).steps;
});

/** What creating an order with `process: all` runs, on an order that exists already. */
export const processAllAction = stepAction('all', async (deps, orderId) => (await processOrder(orderDepsOf(deps), orderId, { all: true }, ACTOR)).steps);

export const syncAction = stepAction('synced', async (deps, orderId) => [await syncOrder(orderDepsOf(deps), orderId, {}, ACTOR)]);

export const deactivateAction = stepAction('deactivated', async (deps, orderId) => [
  await deactivateAuthorizations(orderDepsOf(deps), orderId, { reason: 'requested' }, ACTOR),
]);

/** A new order for the same names: the browser goes to it. */
export const retryAction: Action = async (deps, req, res) => {
  const orderId = parseOrThrow(idParam, req.params.id);
  const { process } = parseOrThrow(retryBody, formValues(req.body));
  const created = await retryOrder(orderDepsOf(deps), orderId, process ? { processing: process } : {}, ACTOR);
  const outcome = await settleSteps(deps, created.orderId, created.report.steps);
  redirectDone(res, `${ctxOf(res).base}/orders/${created.orderId}`, outcome.failed ? 'failed' : 'retried');
};

/** The reason is the API's required field: refused, the order page comes back with the error by it. */
export const markInvalidAction: Action = async (deps, req, res) => {
  const orderId = parseOrThrow(idParam, req.params.id);
  const values = formValues(req.body);
  try {
    const mark = parseOrThrow(markInvalidBody, values);
    const handled = await markOrderInvalid(orderDepsOf(deps), orderId, { reason: mark.reason, actor: mark.actor ? `dashboard:${mark.actor}` : 'dashboard' }, ACTOR);
    await settleSteps(deps, orderId, [], handled.position);
    redirectDone(res, `${ctxOf(res).base}/orders/${orderId}`, 'marked');
  } catch (error) {
    const failure = formFailure(error, req, values);
    if (failure.status >= 500 || failure.status === 404) throw error;
    await sendOrderPage(deps, req, res, failure.status, failure.state);
  }
};
