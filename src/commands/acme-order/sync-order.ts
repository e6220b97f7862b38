/** Reading orders, authorizations and challenges back from the server: how a crash mid-order is recovered. */
import type { AuthorizationResource, StepFact } from '../../domain/acme-order/commands.js';
import { IllegalStateError, NotFoundError } from '../../domain/shared/errors.js';
import type { AcmeResponse } from '../../infra/acme/index.js';
import type { AcmeSession } from '../acme/session.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { loadOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';
import { pollSettings, pollUntil } from './poll.js';
import { parseAuthorization, parseChallenge, parseOrder } from './resources.js';

export async function fetchAuthorization(session: AcmeSession, url: string): Promise<{ value: AuthorizationResource; response: AcmeResponse }> {
  const response = await session.transport.post(url, '', session.signer, { kind: 'getAuthorization' });
  return { value: parseAuthorization(response.body, url), response };
}

export async function fetchOrder(session: AcmeSession, url: string) {
  const response = await session.transport.post(url, '', session.signer, { kind: 'getOrder' });
  return { value: parseOrder(response.body, url), response };
}

/** The authorizations the order lists that we have not read yet (or all of them). */
export async function fetchAuthorizations(deps: AcmeOrderDeps, orderId: string, options: { all?: boolean } = {}, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  if (order.orderUrl === null) throw new IllegalStateError(`ACME order ${orderId} was not submitted yet`);
  const known = new Set(Object.values(order.authorizations).map((a) => a.url));
  const urls = order.authorizationUrls.filter((url) => options.all || !known.has(url));
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'fetch-authorizations', async () => {
    const fetched = await Promise.all(urls.map((url) => fetchAuthorization(session, url)));
    return { value: undefined, facts: fetched.map(({ value }) => ({ kind: 'authorization' as const, authorization: value })) };
  }, context);
  return stepRun('fetch-authorizations', recorded);
}

/**
 * The order and every authorization it lists, as the server has them now. With `poll`, waits
 * (bounded) while the order is processing (§7.4: after finalize).
 */
export async function syncOrder(deps: AcmeOrderDeps, orderId: string, options: { poll?: boolean } = {}, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  if (order.orderUrl === null) {
    throw new IllegalStateError(`ACME order ${orderId} never reached its server (no order URL): process it to submit it again`);
  }
  const orderUrl = order.orderUrl;
  const session = await deps.acme.open(order.accountId);
  let settled = true;
  const recorded = await runOrderStep(deps, orderId, 'sync-order', async () => {
    const polled = options.poll
      ? await pollUntil(() => fetchOrder(session, orderUrl), (o) => o.status !== 'processing', pollSettings(deps.poll))
      : { value: (await fetchOrder(session, orderUrl)).value, settled: true };
    settled = polled.settled;
    const authorizations = await Promise.all(polled.value.authorizationUrls.map((url) => fetchAuthorization(session, url)));
    const facts: StepFact[] = [{ kind: 'order', order: polled.value }, ...authorizations.map(({ value }) => ({ kind: 'authorization' as const, authorization: value }))];
    return { value: undefined, facts };
  }, context);
  return stepRun('sync-order', recorded, settled);
}

export async function syncAuthorization(deps: AcmeOrderDeps, orderId: string, authorizationId: string, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  const authorization = order.authorizations[authorizationId];
  if (!authorization) throw new NotFoundError(`authorization ${authorizationId} is not one of order ${orderId}`);
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'sync-authorization', async () => {
    const { value } = await fetchAuthorization(session, authorization.url);
    return { value: undefined, facts: [{ kind: 'authorization', authorization: value }] };
  }, context);
  return stepRun('sync-authorization', recorded);
}

export async function syncChallenge(deps: AcmeOrderDeps, orderId: string, challengeId: string, context: CommandContext = {}): Promise<StepRun> {
  const order = await loadOrder(deps.store, orderId);
  const challenge = order.challenges[challengeId];
  if (!challenge) throw new NotFoundError(`challenge ${challengeId} is not one of order ${orderId}`);
  const session = await deps.acme.open(order.accountId);
  const recorded = await runOrderStep(deps, orderId, 'sync-challenge', async () => {
    const response = await session.transport.post(challenge.url, '', session.signer, { kind: 'getChallenge' });
    return { value: undefined, facts: [{ kind: 'challenge', challenge: parseChallenge(response.body, challenge.url) }] };
  }, context);
  return stepRun('sync-challenge', recorded);
}
