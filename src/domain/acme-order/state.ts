import type { AcmeOrderEvent, AcmeOrderRequest, ChallengeType, ProblemData } from './events.js';
import type { AcmeAuthorizationStatus, AcmeChallengeStatus, LocalOrderStatus } from './status.js';

export type ChallengeView = {
  challengeId: string;
  authorizationId: string;
  url: string;
  type: string;
  token: string;
  status: AcmeChallengeStatus;
  error: ProblemData | null;
  /** Set once prepared: the http-01 answer is served, the dns-01 record published. */
  keyAuthorization: string | null;
  triggered: boolean;
  polls: number;
  dnsRecord: { provider: string; recordName: string; value: string; removed: boolean } | null;
};

export type AuthorizationView = {
  authorizationId: string;
  url: string;
  identifier: { type: string; value: string };
  status: AcmeAuthorizationStatus;
  wildcard: boolean;
  challengeIds: string[];
};

export type OrderView = AcmeOrderRequest & {
  status: LocalOrderStatus;
  orderUrl: string | null;
  finalizeUrl: string | null;
  certificateUrl: string | null;
  expires: string | null;
  authorizationUrls: string[];
  authorizations: Record<string, AuthorizationView>;
  challenges: Record<string, ChallengeView>;
  /** The server's `error` on the order (§7.1.3). */
  error: ProblemData | null;
  lastFailure: { step: string; problem: ProblemData | null; message: string; at: string } | null;
  privateKeyId: string | null;
  csrId: string | null;
  certificateId: string | null;
  markedInvalid: boolean;
  rateLimitedUntil: string | null;
  retriedBy: string[];
  revoked: boolean;
};

export type AcmeOrderState = { status: 'absent' } | OrderView;

export const initialState = (): AcmeOrderState => ({ status: 'absent' });

export const isKnown = (state: AcmeOrderState): state is OrderView => state.status !== 'absent';

/** The challenge type the order asked for this authorization's identifier (wildcards match `*.name`). */
export function wantedChallengeType(order: OrderView, identifier: { value: string }, wildcard: boolean): ChallengeType | undefined {
  const value = wildcard ? `*.${identifier.value}` : identifier.value;
  return order.identifiers.find((i) => i.value === value)?.challengeType
    ?? order.identifiers.find((i) => i.value === identifier.value)?.challengeType;
}

/** The challenge of an authorization we answer (the type asked for at creation). */
/**
 * The last finalize may have been applied although it failed: no answer (connection lost, timeout,
 * a crash before the answer was recorded), a 5xx from the CA, or the CA saying the order is past
 * `ready` (orderNotReady: our view is stale). The order must be read before finalize is sent again.
 */
export function finalizeOutcomeUnknown(order: { lastFailure: OrderView['lastFailure'] }): boolean {
  const failure = order.lastFailure;
  if (failure?.step !== 'finalize') return false;
  if (failure.problem === null) return true;
  const { type, status } = failure.problem;
  return (typeof status === 'number' && status >= 500) || type === 'urn:ietf:params:acme:error:orderNotReady';
}

export function chosenChallenge(order: OrderView, authorization: AuthorizationView): ChallengeView | undefined {
  const type = wantedChallengeType(order, authorization.identifier, authorization.wildcard);
  return authorization.challengeIds.map((id) => order.challenges[id]).find((c) => c?.type === type);
}

function withOrder(state: AcmeOrderState, update: (order: OrderView) => OrderView): AcmeOrderState {
  return isKnown(state) ? update(state) : state;
}

export function evolve(state: AcmeOrderState, event: AcmeOrderEvent): AcmeOrderState {
  switch (event.type) {
    case 'AcmeOrderCreated': {
      const d = event.data;
      return {
        status: 'created', orderId: d.orderId, accountId: d.accountId, acmeServerId: d.acmeServerId, identifiers: d.identifiers,
        uniqueFqdnSetId: d.uniqueFqdnSetId, keyPolicy: d.keyPolicy, keyTechnology: d.keyTechnology, processing: d.processing,
        deactivateOnFailure: d.deactivateOnFailure, retryOf: d.retryOf, orderUrl: null, finalizeUrl: null, certificateUrl: null,
        expires: null, authorizationUrls: [], authorizations: {}, challenges: {}, error: null, lastFailure: null, privateKeyId: null,
        csrId: null, certificateId: null, markedInvalid: false, rateLimitedUntil: null, retriedBy: [], revoked: false,
        ...(d.replaces === undefined ? {} : { replaces: d.replaces }), ...(d.profile === undefined ? {} : { profile: d.profile }),
      };
    }
    case 'AcmeOrderSubmitted':
      return withOrder(state, (o) => ({
        ...o, status: event.data.status, orderUrl: event.data.orderUrl, expires: event.data.expires,
        authorizationUrls: event.data.authorizationUrls, finalizeUrl: event.data.finalizeUrl, lastFailure: null,
      }));
    case 'AcmeOrderSynced':
      return withOrder(state, (o) => ({
        ...o, status: event.data.status, expires: event.data.expires, authorizationUrls: event.data.authorizationUrls,
        finalizeUrl: event.data.finalizeUrl, certificateUrl: event.data.certificateUrl, error: event.data.error,
        // The CA's answer settles a finalize whose own answer was lost (steps.ts finalizeOutcomeUnknown).
        lastFailure: finalizeOutcomeUnknown(o) ? null : o.lastFailure,
      }));
    case 'AcmeAuthorizationSynced':
      return withOrder(state, (o) => {
        const d = event.data;
        const challenges = { ...o.challenges };
        for (const c of d.challenges) {
          const before = challenges[c.challengeId];
          challenges[c.challengeId] = {
            challengeId: c.challengeId, authorizationId: d.authorizationId, url: c.url, type: c.type, token: c.token, status: c.status,
            error: c.error, keyAuthorization: before?.keyAuthorization ?? null, triggered: before?.triggered ?? false,
            polls: before?.polls ?? 0, dnsRecord: before?.dnsRecord ?? null,
          };
        }
        const authorization: AuthorizationView = {
          authorizationId: d.authorizationId, url: d.url, identifier: d.identifier, status: d.status, wildcard: d.wildcard,
          challengeIds: d.challenges.map((c) => c.challengeId),
        };
        return { ...o, challenges, authorizations: { ...o.authorizations, [d.authorizationId]: authorization } };
      });
    case 'AcmeChallengePrepared':
      return updateChallenge(state, event.data.challengeId, (c) => ({ ...c, keyAuthorization: event.data.keyAuthorization }));
    case 'AcmeDnsRecordSet':
      return updateChallenge(state, event.data.challengeId, (c) => ({
        ...c, dnsRecord: { provider: event.data.provider, recordName: event.data.recordName, value: event.data.value, removed: false },
      }));
    case 'AcmeDnsRecordRemoved':
      return updateChallenge(state, event.data.challengeId, (c) => ({ ...c, dnsRecord: c.dnsRecord ? { ...c.dnsRecord, removed: true } : null }));
    case 'AcmeChallengeSynced':
      return updateChallenge(state, event.data.challengeId, (c) => ({ ...c, status: event.data.status, error: event.data.error }));
    case 'AcmeChallengeTriggered':
      return updateChallenge(state, event.data.challengeId, (c) => ({ ...c, triggered: true, status: event.data.status }));
    case 'AcmeChallengePolled':
      return updateChallenge(state, event.data.challengeId, (c) => ({ ...c, polls: c.polls + 1 }));
    case 'AcmeAuthorizationDeactivated':
      return withOrder(state, (o) => {
        const authorization = o.authorizations[event.data.authorizationId];
        if (!authorization) return o;
        return { ...o, authorizations: { ...o.authorizations, [authorization.authorizationId]: { ...authorization, status: event.data.status } } };
      });
    case 'AcmeOrderFinalized':
      return withOrder(state, (o) => ({ ...o, privateKeyId: event.data.privateKeyId, csrId: event.data.csrId }));
    case 'AcmeCertificateDownloaded':
      return withOrder(state, (o) => ({ ...o, certificateId: event.data.certificateId, lastFailure: null }));
    case 'AcmeOrderStepFailed':
      return withOrder(state, (o) => ({
        ...o, lastFailure: { step: event.data.step, problem: event.data.problem, message: event.data.message, at: event.data.failedAt },
      }));
    case 'AcmeOrderRateLimited':
      return withOrder(state, (o) => ({ ...o, rateLimitedUntil: event.data.retryAfter.notBefore }));
    case 'AcmeOrderMarkedInvalid':
      return withOrder(state, (o) => ({ ...o, markedInvalid: true }));
    case 'AcmeOrderRetried':
      return withOrder(state, (o) => ({ ...o, retriedBy: [...o.retriedBy, event.data.newOrderId] }));
    case 'AcmeCertificateRevoked':
      return withOrder(state, (o) => ({ ...o, revoked: true }));
    case 'AcmeExchangeRecorded':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function updateChallenge(state: AcmeOrderState, challengeId: string, update: (c: ChallengeView) => ChallengeView): AcmeOrderState {
  return withOrder(state, (o) => {
    const challenge = o.challenges[challengeId];
    return challenge ? { ...o, challenges: { ...o.challenges, [challengeId]: update(challenge) } } : o;
  });
}
