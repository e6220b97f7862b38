import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { AcmeOrderCommand, CreateAcmeOrder, RecordAcmeStep, StepFact } from './commands.js';
import type { AcmeOrderEvent } from './events.js';
import { isKeyPolicy, isKeyTechnology } from './key-cycle.js';
import { evolve, finalizeOutcomeUnknown, initialState, isKnown, type AcmeOrderState, type OrderView } from './state.js';
import { isAuthorizationMove, isChallengeMove, isOrderMove } from './status.js';
import { isRetryable } from './steps.js';

/** Let's Encrypt's limit; more names make a CSR no CA signs. */
export const MAX_IDENTIFIERS = 100;

function validateCreate(command: CreateAcmeOrder): void {
  const problems: Record<string, string> = {};
  const { identifiers } = command;
  if (identifiers.length === 0) problems.identifiers = 'name at least one domain or IP address';
  if (identifiers.length > MAX_IDENTIFIERS) problems.identifiers = `at most ${MAX_IDENTIFIERS} names per order`;
  const seen = new Set<string>();
  identifiers.forEach((identifier, index) => {
    const field = `identifiers.${index}`;
    if (seen.has(identifier.value)) problems[field] ??= `${identifier.value} is named twice`;
    seen.add(identifier.value);
    // RFC 8738 §7: IP identifiers are validated by http-01 (or tls-alpn-01), never dns-01.
    if (identifier.type === 'ip' && identifier.challengeType !== 'http-01') problems[field] ??= `${identifier.value}: IP addresses take http-01`;
    // RFC 8555 §8.3: http-01 cannot prove a wildcard.
    if (identifier.value.startsWith('*.') && identifier.challengeType !== 'dns-01') problems[field] ??= `${identifier.value}: wildcards take dns-01`;
  });
  if (!isKeyPolicy(command.keyPolicy)) problems.keyPolicy = `unknown key policy ${command.keyPolicy}`;
  if (!isKeyTechnology(command.keyTechnology)) problems.keyTechnology = `unknown key technology ${command.keyTechnology}`;
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The events one observed fact adds, or none when it is known already or older than what we know (a stale read). */
function factEvents(order: OrderView, fact: StepFact, step: string, now: string): AcmeOrderEvent[] {
  const orderId = order.orderId;
  switch (fact.kind) {
    case 'submitted': {
      if (order.orderUrl !== null) return [];
      const o = fact.order;
      return [{ type: 'AcmeOrderSubmitted', data: { orderId, orderUrl: fact.orderUrl, status: o.status, expires: o.expires, authorizationUrls: o.authorizationUrls, finalizeUrl: o.finalizeUrl, submittedAt: now } }];
    }
    case 'order': {
      const o = fact.order;
      if (!isOrderMove(order.status, o.status)) return [];
      const unchanged = order.status === o.status && order.expires === o.expires && order.finalizeUrl === o.finalizeUrl
        && order.certificateUrl === o.certificateUrl && sameJson(order.error, o.error) && sameJson(order.authorizationUrls, o.authorizationUrls);
      // Unchanged is still news after a finalize of unknown outcome: it settles that finalize was not applied.
      if (unchanged && !finalizeOutcomeUnknown(order)) return [];
      return [{ type: 'AcmeOrderSynced', data: { orderId, status: o.status, expires: o.expires, authorizationUrls: o.authorizationUrls, finalizeUrl: o.finalizeUrl, certificateUrl: o.certificateUrl, error: o.error, syncedAt: now } }];
    }
    case 'authorization': {
      const a = fact.authorization;
      const known = order.authorizations[a.authorizationId];
      if (known) {
        if (!isAuthorizationMove(known.status, a.status)) return [];
        const challengesMoveForward = a.challenges.every((c) => {
          const before = order.challenges[c.challengeId];
          return !before || isChallengeMove(before.status, c.status);
        });
        if (!challengesMoveForward) return [];
        const unchanged = known.status === a.status && a.challenges.every((c) => {
          const before = order.challenges[c.challengeId];
          return before !== undefined && before.status === c.status && sameJson(before.error, c.error);
        });
        if (unchanged) return [];
      }
      return [{ type: 'AcmeAuthorizationSynced', data: { orderId, ...a, syncedAt: now } }];
    }
    case 'challenge': {
      const c = fact.challenge;
      const before = order.challenges[c.challengeId];
      if (!before || !isChallengeMove(before.status, c.status) || (before.status === c.status && sameJson(before.error, c.error))) return [];
      return [{ type: 'AcmeChallengeSynced', data: { orderId, challengeId: c.challengeId, status: c.status, validated: c.validated, error: c.error, syncedAt: now } }];
    }
    case 'triggered': {
      const challenge = order.challenges[fact.challengeId];
      if (!challenge || (challenge.triggered && !isChallengeMove(challenge.status, fact.status))) return [];
      if (challenge.triggered && challenge.status === fact.status) return [];
      return [{ type: 'AcmeChallengeTriggered', data: { orderId, challengeId: fact.challengeId, status: fact.status, triggeredAt: now } }];
    }
    case 'deactivated': {
      // Recorded whenever the server answered our deactivation (after the authorization it returned).
      if (!order.authorizations[fact.authorizationId]) return [];
      return [{ type: 'AcmeAuthorizationDeactivated', data: { orderId, authorizationId: fact.authorizationId, status: fact.status, reason: fact.reason, deactivatedAt: now } }];
    }
    case 'dnsRecordSet':
      return [{ type: 'AcmeDnsRecordSet', data: { orderId, challengeId: fact.challengeId, provider: fact.provider, recordName: fact.recordName, value: fact.value, setAt: now } }];
    case 'dnsRecordRemoved':
      return [{ type: 'AcmeDnsRecordRemoved', data: { orderId, challengeId: fact.challengeId, provider: fact.provider, recordName: fact.recordName, value: fact.value, removedAt: now } }];
    case 'finalized':
      if (order.csrId === fact.csrId) return [];
      return [{ type: 'AcmeOrderFinalized', data: { orderId, privateKeyId: fact.privateKeyId, keyTechnology: fact.keyTechnology, keyPolicy: fact.keyPolicy, csrId: fact.csrId, csrPem: fact.csrPem, finalizedAt: now } }];
    case 'downloaded':
      if (order.certificateId === fact.certificateId) return [];
      return [{ type: 'AcmeCertificateDownloaded', data: { orderId, certificateId: fact.certificateId, certificateUrl: fact.certificateUrl, alternateUrls: fact.alternateUrls, caChainIds: fact.caChainIds, downloadedAt: now } }];
    case 'revoked':
      return [{ type: 'AcmeCertificateRevoked', data: { orderId, certificateId: fact.certificateId, reasonCode: fact.reasonCode, signedWith: fact.signedWith, revokedAt: now } }];
    case 'failed':
      return [{ type: 'AcmeOrderStepFailed', data: { orderId, step, problem: fact.problem, message: fact.message, failedAt: now } }];
    case 'rateLimited':
      return [{ type: 'AcmeOrderRateLimited', data: { orderId, accountId: order.accountId, acmeServerId: order.acmeServerId, uniqueFqdnSetId: order.uniqueFqdnSetId, step, retryAfter: fact.retryAfter, problem: fact.problem, recordedAt: now } }];
    default: {
      const _exhaustive: never = fact;
      return [];
    }
  }
}

/** Facts in order, each judged against the state the previous ones left. */
function recordStep(state: OrderView, command: RecordAcmeStep): AcmeOrderEvent[] {
  const events: AcmeOrderEvent[] = [...command.exchanges];
  let current: AcmeOrderState = state;
  for (const fact of command.facts) {
    const added = factEvents(current as OrderView, fact, command.step, command.now);
    events.push(...added);
    current = added.reduce(evolve, current);
  }
  return events;
}

function decide(command: AcmeOrderCommand, state: AcmeOrderState): AcmeOrderEvent[] {
  switch (command.type) {
    case 'CreateAcmeOrder': {
      if (isKnown(state)) return [];
      validateCreate(command);
      const { type: _type, now, ...data } = command;
      return [{ type: 'AcmeOrderCreated', data: { ...data, createdAt: now } }];
    }
    case 'RecordAcmeStep': {
      // Exchanges are facts: they are appended even when the step observed nothing new.
      if (!isKnown(state)) throw new NotFoundError('ACME order not found: create it before recording its steps');
      return recordStep(state, command);
    }
    case 'PrepareAcmeChallenges': {
      if (!isKnown(state)) throw new NotFoundError('ACME order not found');
      return command.challenges.flatMap(({ challengeId, keyAuthorization }) => {
        const challenge = state.challenges[challengeId];
        if (!challenge) throw new NotFoundError(`challenge ${challengeId} is not one of order ${state.orderId}`);
        if (challenge.type !== 'http-01' && challenge.type !== 'dns-01') throw new IllegalStateError(`challenge type ${challenge.type} is not supported`);
        if (challenge.keyAuthorization === keyAuthorization) return [];
        const authorization = state.authorizations[challenge.authorizationId];
        return [{
          type: 'AcmeChallengePrepared' as const,
          data: {
            orderId: state.orderId, authorizationId: challenge.authorizationId, challengeId, type: challenge.type, token: challenge.token,
            identifier: authorization?.identifier.value ?? '', keyAuthorization, preparedAt: command.now,
          },
        }];
      });
    }
    case 'RecordAcmeChallengePoll': {
      if (!isKnown(state)) return [];
      const challenge = state.challenges[command.challengeId];
      // Only while the CA may be validating, and only a few: the route is public.
      if (!challenge || (challenge.status !== 'pending' && challenge.status !== 'processing') || challenge.polls >= command.maxRecorded) return [];
      return [{
        type: 'AcmeChallengePolled',
        data: { orderId: state.orderId, challengeId: command.challengeId, remoteAddress: command.remoteAddress, userAgent: command.userAgent, polledAt: command.now },
      }];
    }
    case 'MarkAcmeOrderInvalid': {
      if (!isKnown(state)) throw new NotFoundError('ACME order not found');
      if (state.status === 'valid') throw new IllegalStateError(`ACME order ${state.orderId} is valid: it cannot be marked invalid`);
      if (state.markedInvalid || state.status === 'invalid') return [];
      return [{ type: 'AcmeOrderMarkedInvalid', data: { orderId: state.orderId, reason: command.reason, actor: command.actor, markedAt: command.now } }];
    }
    case 'RecordAcmeOrderRetried': {
      if (!isKnown(state)) throw new NotFoundError('ACME order not found');
      if (state.retriedBy.includes(command.newOrderId)) return [];
      if (!isRetryable(state)) throw new IllegalStateError(`ACME order ${state.orderId} is ${state.status}: only a failed order is retried`);
      return [{ type: 'AcmeOrderRetried', data: { orderId: state.orderId, newOrderId: command.newOrderId, retriedAt: command.now } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

export const acmeOrderDecider: Decider<AcmeOrderCommand, AcmeOrderState, AcmeOrderEvent> = { decide, evolve, initialState };
