import { assertStepAllowed } from '../../domain/acme-order/steps.js';
import { AcmeTransportError } from '../../infra/acme/index.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { assertOrderNotRateLimited } from './rate-limit.js';
import { loadOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';
import { parseOrder } from './resources.js';

/** newOrder (RFC 8555 §7.4): the order's identifiers, as created. */
export async function submitOrder(deps: AcmeOrderDeps, orderId: string, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  assertStepAllowed(order, 'submit');
  assertOrderNotRateLimited(order, deps.now());
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'submit', async () => {
    const { newOrder } = await session.transport.directory();
    const identifiers = order.identifiers.map(({ type, value }) => ({ type, value }));
    const response = await session.transport.post(newOrder, { identifiers }, session.signer, { kind: 'newOrder' });
    if (response.location === undefined) {
      throw new AcmeTransportError('protocol', 'POST', newOrder, `newOrder answered ${response.status} without a Location (RFC 8555 §7.4)`);
    }
    const resource = parseOrder(response.body, response.location);
    return { value: resource, facts: [{ kind: 'submitted', orderUrl: response.location, order: resource }] };
  }, context);
  return stepRun('submit', recorded);
}
