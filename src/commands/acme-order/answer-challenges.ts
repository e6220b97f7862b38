/**
 * Answering authorizations (RFC 8555 §7.5): for each, the challenge type the order asked for.
 * 1. prepare: the key authorization (§8.1) is recorded; http-01 is served from the read model,
 *    dns-01 published through the DNS provider;
 * 2. read-your-writes: the challenge is triggered only once the projection serves the answer;
 * 3. trigger (§7.5.1), then poll the authorizations (Retry-After honoured, bounded);
 * 4. remove dns-01 records, and after a failure deactivate what is still pending (§7.5.2);
 * 5. sync the order, whose status now follows its authorizations.
 */
import type { StepFact } from '../../domain/acme-order/commands.js';
import { chosenChallenge, wantedChallengeType, type AuthorizationView, type ChallengeView, type OrderView } from '../../domain/acme-order/state.js';
import { assertStepAllowed, authorizationsToAnswer, orderAuthorizations } from '../../domain/acme-order/steps.js';
import { IllegalStateError, NotFoundError } from '../../domain/shared/errors.js';
import { AcmeTransportError, keyAuthorization } from '../../infra/acme/index.js';
import type { AcmeSession } from '../acme/session.js';
import type { CommandContext } from '../handle.js';
import { deactivateAuthorizations } from './deactivate-authorizations.js';
import type { AcmeOrderDeps } from './deps.js';
import { removeDnsRecords, setDnsRecords } from './dns-records.js';
import { loadOrder, recordOnOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';
import { pollSettings, pollUntil } from './poll.js';
import { assertOrderNotRateLimited } from './rate-limit.js';
import { parseChallenge } from './resources.js';
import { fetchAuthorization, syncOrder } from './sync-order.js';

export type AnswerOptions = {
  /** Only these (default: every pending authorization). */
  authorizationIds?: string[];
  /** Only the first pending one: one step of "process step by step". */
  first?: boolean;
};

type Target = { authorization: AuthorizationView; challenge: ChallengeView };

/** Each target's chosen challenge; a server that does not offer the type asked for fails the step. */
async function targetsOf(deps: AcmeOrderDeps, order: OrderView, options: AnswerOptions, context: CommandContext): Promise<{ targets: Target[]; failed?: StepRun }> {
  let authorizations = authorizationsToAnswer(order);
  if (options.authorizationIds) authorizations = authorizations.filter((a) => options.authorizationIds!.includes(a.authorizationId));
  if (options.first) authorizations = authorizations.slice(0, 1);
  const targets: Target[] = [];
  for (const authorization of authorizations) {
    const challenge = chosenChallenge(order, authorization);
    if (!challenge) {
      const type = wantedChallengeType(order, authorization.identifier, authorization.wildcard) ?? 'the asked';
      const recorded = await runOrderStep(deps, order.orderId, 'answer-challenge', async () => {
        throw new AcmeTransportError('protocol', 'POST', authorization.url, `the server offers no ${type} challenge for ${authorization.identifier.value}`);
      }, context);
      return { targets, failed: stepRun('answer-challenge', recorded) };
    }
    targets.push({ authorization, challenge });
  }
  return { targets };
}

async function trigger(session: AcmeSession, challenge: ChallengeView): Promise<StepFact> {
  // §7.5.1: the client says it is ready with an empty JSON object.
  const response = await session.transport.post(challenge.url, {}, session.signer, { kind: 'challengeResponse' });
  return { kind: 'triggered', challengeId: challenge.challengeId, status: parseChallenge(response.body, challenge.url).status };
}

export async function answerChallenges(deps: AcmeOrderDeps, orderId: string, options: AnswerOptions = {}, context: CommandContext = {}): Promise<StepRun[]> {
  const order = await loadOrder(deps.store, orderId);
  assertStepAllowed(order, 'answer-challenge');
  assertOrderNotRateLimited(order, deps.now());
  const session = await deps.acme.open(order.accountId);
  const runs: StepRun[] = [];
  const { targets, failed } = await targetsOf(deps, order, options, context);
  if (failed) return [failed];

  // 1. Prepare every pending challenge (again, if the account key rolled over since).
  const pending = targets.filter((t) => t.challenge.status === 'pending');
  const prepared = pending.map((t) => ({ ...t, keyAuthorization: keyAuthorization(t.challenge.token, session.signer.thumbprint) }));
  let position: bigint | null = null;
  const fresh = prepared.filter((t) => t.keyAuthorization !== t.challenge.keyAuthorization);
  if (fresh.length > 0) {
    const handled = await recordOnOrder(deps, orderId, {
      type: 'PrepareAcmeChallenges',
      challenges: fresh.map((t) => ({ challengeId: t.challenge.challengeId, keyAuthorization: t.keyAuthorization })),
      now: deps.now().toISOString(),
    }, context);
    position = handled.position;
  }
  const dnsTargets = prepared.filter((t) => t.challenge.type === 'dns-01'
    && (t.challenge.dnsRecord === null || t.challenge.dnsRecord.removed || t.challenge.keyAuthorization !== t.keyAuthorization));
  if (dnsTargets.length > 0) {
    const run = await setDnsRecords(deps, orderId, dnsTargets.map((t) => ({
      challengeId: t.challenge.challengeId, identifier: t.authorization.identifier.value, keyAuthorization: t.keyAuthorization,
    })), context);
    runs.push(run);
    if (!run.ok) return [...runs, ...await afterFailure(deps, orderId, context)];
  }

  // 2. Read-your-writes: the public app must answer before the CA asks. It reads only the acme
  // projection's acme_challenges; waiting for every projection cost an order ~0.2–0.5 s.
  if (position !== null) await deps.projections.waitFor(position, { timeoutMs: 30_000, projections: ['acme'] });

  // 3. Trigger, then poll until every target's authorization settles.
  if (pending.length > 0) {
    const recorded = await runOrderStep(deps, orderId, 'trigger-challenges', async () => ({
      value: undefined,
      facts: await Promise.all(pending.map((t) => trigger(session, t.challenge))),
    }), context);
    runs.push(stepRun('trigger-challenges', recorded));
    if (!recorded.result.ok) {
      // A trigger may have been applied although it failed (answer lost, or sent before a crash and
      // refused now as not pending): read the authorizations back so the next step sees the CA's state.
      runs.push(await resyncAuthorizations(deps, orderId, session, targets, context));
      // A validation in flight still needs its DNS record; the next step polls it and then removes it.
      const now = await loadOrder(deps.store, orderId);
      if (targets.some((t) => now.challenges[t.challenge.challengeId]?.status === 'processing')) return runs;
      return [...runs, ...await afterFailure(deps, orderId, context)];
    }
  }
  let settled = true;
  const polled = await runOrderStep(deps, orderId, 'poll-authorizations', async () => {
    const results = await Promise.all(targets.map((t) => pollUntil(
      () => fetchAuthorization(session, t.authorization.url),
      (a) => a.status !== 'pending',
      pollSettings(deps.poll),
    )));
    settled = results.every((r) => r.settled);
    return { value: undefined, facts: results.map((r) => ({ kind: 'authorization' as const, authorization: r.value })) };
  }, context);
  runs.push(stepRun('poll-authorizations', polled, settled));
  if (!polled.result.ok) return [...runs, ...await afterFailure(deps, orderId, context)];

  // 4. and 5.
  return [...runs, ...await afterAnswers(deps, orderId, context)];
}

async function resyncAuthorizations(deps: AcmeOrderDeps, orderId: string, session: AcmeSession, targets: Target[], context: CommandContext): Promise<StepRun> {
  const recorded = await runOrderStep(deps, orderId, 'sync-authorization', async () => {
    const fetched = await Promise.all(targets.map((t) => fetchAuthorization(session, t.authorization.url)));
    return { value: undefined, facts: fetched.map(({ value }) => ({ kind: 'authorization' as const, authorization: value })) };
  }, context);
  return stepRun('sync-authorization', recorded);
}

/** A step failed: take the DNS records down; the order itself is left for a sync or a retry. */
async function afterFailure(deps: AcmeOrderDeps, orderId: string, context: CommandContext): Promise<StepRun[]> {
  const removed = await removeDnsRecords(deps, orderId, { all: true }, context);
  return removed ? [removed] : [];
}

async function afterAnswers(deps: AcmeOrderDeps, orderId: string, context: CommandContext): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  const removed = await removeDnsRecords(deps, orderId, {}, context);
  if (removed) runs.push(removed);
  let order = await loadOrder(deps.store, orderId);
  const failedAuthorization = orderAuthorizations(order).find((a) => a.status === 'invalid');
  if (failedAuthorization && order.deactivateOnFailure) {
    const stillPending = orderAuthorizations(order).some((a) => a.status === 'pending') || order.authorizationUrls.length > Object.keys(order.authorizations).length;
    if (stillPending) {
      runs.push(await deactivateAuthorizations(deps, orderId, { reason: `challenge for ${failedAuthorization.identifier.value} failed` }, context));
      const cleaned = await removeDnsRecords(deps, orderId, { all: true }, context);
      if (cleaned) runs.push(cleaned);
    }
  }
  order = await loadOrder(deps.store, orderId);
  // The order's status follows its authorizations (§7.1.6): read it once none is left to answer.
  if (failedAuthorization || authorizationsToAnswer(order).length === 0) runs.push(await syncOrder(deps, orderId, {}, context));
  return runs;
}

/**
 * Answers one challenge (peter_sslers' acme-challenge trigger): it must be the challenge the
 * order chose for its authorization, which is then answered and polled like any other.
 */
export async function triggerChallenge(deps: AcmeOrderDeps, orderId: string, challengeId: string, context: CommandContext = {}): Promise<StepRun[]> {
  const order = await loadOrder(deps.store, orderId);
  const challenge = order.challenges[challengeId];
  const authorization = challenge ? order.authorizations[challenge.authorizationId] : undefined;
  if (!challenge || !authorization) throw new NotFoundError(`challenge ${challengeId} is not one of order ${orderId}`);
  if (chosenChallenge(order, authorization)?.challengeId !== challengeId) {
    const wanted = wantedChallengeType(order, authorization.identifier, authorization.wildcard);
    throw new IllegalStateError(`order ${orderId} answers ${authorization.identifier.value} by ${wanted}, not by this ${challenge.type} challenge`);
  }
  return answerChallenges(deps, orderId, { authorizationIds: [authorization.authorizationId] }, context);
}
