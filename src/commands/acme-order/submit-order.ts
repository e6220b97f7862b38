import { assertStepAllowed } from '../../domain/acme-order/steps.js';
import { AcmeProblem, AcmeRateLimitedError, AcmeTransportError } from '../../infra/acme/index.js';
import type { AcmeSession } from '../acme/session.js';
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
    const payload = { identifiers, ...(order.profile === undefined ? {} : { profile: order.profile }) };
    const response = await postNewOrder(session, newOrder, payload, order.replaces);
    if (response.location === undefined) {
      throw new AcmeTransportError('protocol', 'POST', newOrder, `newOrder answered ${response.status} without a Location (RFC 8555 §7.4)`);
    }
    const resource = parseOrder(response.body, response.location);
    return { value: resource, facts: [{ kind: 'submitted', orderUrl: response.location, order: resource }] };
  }, context);
  return stepRun('submit', recorded);
}

/**
 * RFC 9773 §5: `replaces` names the certificate this order renews. A CA may refuse it (already
 * replaced, an identifier it does not know, no ARI support); the order is still wanted, so it is
 * sent once more without it. Both exchanges land on the order stream.
 */
async function postNewOrder(session: AcmeSession, newOrder: string, payload: Record<string, unknown>, replaces: string | undefined) {
  if (replaces === undefined) return session.transport.post(newOrder, payload, session.signer, { kind: 'newOrder' });
  try {
    return await session.transport.post(newOrder, { ...payload, replaces }, session.signer, { kind: 'newOrder' });
  } catch (error) {
    if (!(error instanceof AcmeProblem) || error instanceof AcmeRateLimitedError || error.status >= 500) throw error;
    return session.transport.post(newOrder, payload, session.signer, { kind: 'newOrder' });
  }
}
