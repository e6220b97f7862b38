/**
 * Deactivating authorizations (RFC 8555 §7.5.2): the pending ones of an order (after a failed
 * challenge, or on request), or one by id. The order then turns invalid on the server.
 */
import type { StepFact } from '../../domain/acme-order/commands.js';
import { orderAuthorizations } from '../../domain/acme-order/steps.js';
import { IllegalStateError, NotFoundError } from '../../domain/shared/errors.js';
import type { AcmeSession } from '../acme/session.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { loadOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';
import { parseAuthorization } from './resources.js';

async function deactivate(session: AcmeSession, url: string, reason: string): Promise<StepFact[]> {
  const response = await session.transport.post(url, { status: 'deactivated' }, session.signer, { kind: 'authorizationDeactivate' });
  const authorization = parseAuthorization(response.body, url);
  return [
    { kind: 'authorization', authorization },
    { kind: 'deactivated', authorizationId: authorization.authorizationId, status: authorization.status, reason },
  ];
}

export type DeactivateOptions = {
  reason: string;
  /** Only these; default: every pending authorization of the order (those never read included). */
  authorizationIds?: string[];
};

export async function deactivateAuthorizations(deps: AcmeOrderDeps, orderId: string, options: DeactivateOptions, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  if (order.orderUrl === null) throw new IllegalStateError(`ACME order ${orderId} was not submitted: it has no authorizations`);
  let urls: string[];
  if (options.authorizationIds) {
    urls = options.authorizationIds.map((id) => {
      const authorization = order.authorizations[id];
      if (!authorization) throw new NotFoundError(`authorization ${id} is not one of order ${orderId}`);
      // §7.5.2: only pending or valid authorizations can be deactivated.
      if (authorization.status !== 'pending' && authorization.status !== 'valid') {
        throw new IllegalStateError(`authorization ${id} is ${authorization.status}: only pending or valid ones are deactivated (RFC 8555 §7.5.2)`);
      }
      return authorization.url;
    });
  } else {
    const known = new Map(orderAuthorizations(order).map((a) => [a.url, a]));
    urls = order.authorizationUrls.filter((url) => (known.get(url)?.status ?? 'pending') === 'pending');
  }
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'deactivate-authorizations', async () => ({
    value: undefined,
    facts: (await Promise.all(urls.map((url) => deactivate(session, url, options.reason)))).flat(),
  }), context);
  return stepRun('deactivate-authorizations', recorded);
}

/** The order an authorization belongs to, from the read model; NotFoundError when unknown. */
export async function orderOfAuthorization(deps: Pick<AcmeOrderDeps, 'db'>, authorizationId: string): Promise<string> {
  const row = await deps.db.selectFrom('acme_authorizations').select('acme_order_id').where('id', '=', authorizationId).executeTakeFirst();
  if (!row) throw new NotFoundError(`ACME authorization ${authorizationId} not found`);
  return row.acme_order_id;
}

export async function orderOfChallenge(deps: Pick<AcmeOrderDeps, 'db'>, challengeId: string): Promise<string> {
  const row = await deps.db.selectFrom('acme_challenges').select('acme_order_id').where('id', '=', challengeId).executeTakeFirst();
  if (!row) throw new NotFoundError(`ACME challenge ${challengeId} not found`);
  return row.acme_order_id;
}
