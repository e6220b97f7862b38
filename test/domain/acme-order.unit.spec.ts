import { describe, expect, it } from 'vitest';
import type { AuthorizationResource, CreateAcmeOrder, OrderResource, RecordAcmeStep, StepFact } from '../../src/domain/acme-order/commands.js';
import { acmeOrderDecider } from '../../src/domain/acme-order/decider.js';
import type { AcmeOrderEvent } from '../../src/domain/acme-order/events.js';
import { initialState, type OrderView } from '../../src/domain/acme-order/state.js';
import {
  isAuthorizationMove, isChallengeMove, isFinalOrderStatus, isOrderMove,
} from '../../src/domain/acme-order/status.js';
import { assertStepAllowed, isRetryable, nextStep } from '../../src/domain/acme-order/steps.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(acmeOrderDecider);
const NOW = '2026-11-25T10:00:00.000Z';
const ORDER_URL = 'https://ca.test/order/1';
const AUTHZ_A = 'https://ca.test/authz/a';
const AUTHZ_B = 'https://ca.test/authz/b';

const create: CreateAcmeOrder = {
  type: 'CreateAcmeOrder', orderId: 'o1', accountId: 'acc', acmeServerId: 'srv',
  identifiers: [
    { type: 'dns', value: 'a.test', challengeType: 'http-01' },
    { type: 'dns', value: 'b.test', challengeType: 'dns-01' },
  ],
  uniqueFqdnSetId: 'set', keyPolicy: 'single_use', keyTechnology: 'EC_P256', processing: 'all', deactivateOnFailure: true, retryOf: null, now: NOW,
};

const order = (status: OrderResource['status'], extra: Partial<OrderResource> = {}): OrderResource => ({
  status, expires: null, authorizationUrls: [AUTHZ_A, AUTHZ_B], finalizeUrl: 'https://ca.test/finalize/1', certificateUrl: null, error: null, ...extra,
});

const authorization = (url: string, name: string, status: AuthorizationResource['status'], challengeStatus: 'pending' | 'processing' | 'valid' | 'invalid' = 'pending'): AuthorizationResource => ({
  authorizationId: `id:${url}`, url, identifier: { type: 'dns', value: name }, status, expires: null, wildcard: false,
  challenges: ['http-01', 'dns-01'].map((type) => ({
    challengeId: `id:${url}/${type}`, url: `${url}/${type}`, type, token: `tok-${name}-${type}`, status: challengeStatus, validated: null, error: null,
  })),
});

const step = (facts: StepFact[], exchanges: RecordAcmeStep['exchanges'] = []): RecordAcmeStep => ({ type: 'RecordAcmeStep', step: 'test', exchanges, facts, now: NOW });

const fold = (events: AcmeOrderEvent[]) => events.reduce(acmeOrderDecider.evolve, initialState()) as OrderView;
const decideAll = (commands: Parameters<typeof acmeOrderDecider.decide>[0][]) => commands.reduce<AcmeOrderEvent[]>(
  (events, command) => [...events, ...acmeOrderDecider.decide(command, fold(events))], [],
);

const exchange = { type: 'AcmeExchangeRecorded' as const, data: { requestKind: 'getOrder', method: 'POST' as const, url: ORDER_URL, attempt: 1, retrying: false, startedAt: NOW, durationMs: 3, status: 200, links: [] } };

describe('RFC 8555 §7.1.6 status machines', () => {
  it('moves orders forward only, and ends at valid or invalid', () => {
    expect(isOrderMove('pending', 'ready')).toBe(true);
    expect(isOrderMove('ready', 'processing')).toBe(true);
    expect(isOrderMove('processing', 'valid')).toBe(true);
    expect(isOrderMove('pending', 'invalid')).toBe(true);
    expect(isOrderMove('ready', 'pending')).toBe(false);
    expect(isOrderMove('valid', 'processing')).toBe(false);
    expect(isOrderMove('invalid', 'pending')).toBe(false);
    expect(isFinalOrderStatus('valid')).toBe(true);
    expect(isFinalOrderStatus('ready')).toBe(false);
  });

  it('authorizations: pending → valid | invalid | deactivated; valid → expired | deactivated | revoked', () => {
    expect(isAuthorizationMove('pending', 'valid')).toBe(true);
    expect(isAuthorizationMove('pending', 'deactivated')).toBe(true);
    expect(isAuthorizationMove('valid', 'revoked')).toBe(true);
    expect(isAuthorizationMove('valid', 'pending')).toBe(false);
    expect(isAuthorizationMove('invalid', 'valid')).toBe(false);
    expect(isAuthorizationMove('deactivated', 'pending')).toBe(false);
  });

  it('challenges: pending → processing → valid | invalid', () => {
    expect(isChallengeMove('pending', 'processing')).toBe(true);
    expect(isChallengeMove('processing', 'invalid')).toBe(true);
    expect(isChallengeMove('processing', 'pending')).toBe(false);
    expect(isChallengeMove('valid', 'processing')).toBe(false);
  });
});

describe('CreateAcmeOrder', () => {
  it('records the order', () => {
    spec.given([]).when(create).then([{ type: 'AcmeOrderCreated', data: { ...(({ type: _t, now: _n, ...rest }) => rest)(create), createdAt: NOW } }]);
  });

  it('is idempotent', () => {
    spec.given(decideAll([create])).when(create).then([]);
  });

  it.each([
    ['no names', { identifiers: [] }],
    ['a name twice', { identifiers: [create.identifiers[0]!, create.identifiers[0]!] }],
    ['an IP address by dns-01 (RFC 8738)', { identifiers: [{ type: 'ip' as const, value: '127.0.0.1', challengeType: 'dns-01' as const }] }],
    ['a wildcard by http-01', { identifiers: [{ type: 'dns' as const, value: '*.a.test', challengeType: 'http-01' as const }] }],
    ['an unknown key policy', { keyPolicy: 'sometimes' }],
    ['an unknown key technology', { keyTechnology: 'DSA_1024' }],
  ])('refuses %s', (_what, change) => {
    spec.given([]).when({ ...create, ...change }).thenThrows(ValidationError);
  });
});

describe('RecordAcmeStep', () => {
  const submitted = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') }])]);

  it('records exchanges first, then the facts', () => {
    const events = acmeOrderDecider.decide(step([{ kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'pending') }], [exchange]), fold(submitted));
    expect(events.map((e) => e.type)).toEqual(['AcmeExchangeRecorded', 'AcmeAuthorizationSynced']);
  });

  it('keeps the exchanges of a step that saw nothing new', () => {
    spec.given(submitted).when(step([{ kind: 'order', order: order('pending') }], [exchange])).then([exchange]);
  });

  it('ignores a stale read (a status older than the one known)', () => {
    const ready = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') }]), step([{ kind: 'order', order: order('ready') }])]);
    spec.given(ready).when(step([{ kind: 'order', order: order('pending') }])).then([]);
    const triggered = decideAll([create, step([
      { kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') },
      { kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'pending', 'processing') },
    ])]);
    spec.given(triggered).when(step([{ kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'pending', 'pending') }])).then([]);
  });

  it('records a 429 as a failure and a rate limit with the scope of the order', () => {
    const events = acmeOrderDecider.decide(step([
      { kind: 'failed', problem: { type: 'urn:ietf:params:acme:error:rateLimited', status: 429 }, message: 'slow down' },
      { kind: 'rateLimited', retryAfter: { seconds: 60, notBefore: '2026-11-25T10:01:00.000Z' }, problem: null },
    ]), fold(submitted));
    expect(events[1]).toEqual({
      type: 'AcmeOrderRateLimited',
      data: { orderId: 'o1', accountId: 'acc', acmeServerId: 'srv', uniqueFqdnSetId: 'set', step: 'test', retryAfter: { seconds: 60, notBefore: '2026-11-25T10:01:00.000Z' }, problem: null, recordedAt: NOW },
    });
    expect(fold([...submitted, ...events]).rateLimitedUntil).toBe('2026-11-25T10:01:00.000Z');
  });

  it('needs the order to exist', () => {
    spec.given([]).when(step([])).thenThrows(NotFoundError);
  });
});

describe('challenges', () => {
  const fetched = decideAll([create, step([
    { kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') },
    { kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'pending') },
    { kind: 'authorization', authorization: authorization(AUTHZ_B, 'b.test', 'pending') },
  ])]);
  const challengeA = `id:${AUTHZ_A}/http-01`;

  it('prepares the key authorization once', () => {
    const prepare = { type: 'PrepareAcmeChallenges' as const, challenges: [{ challengeId: challengeA, keyAuthorization: 'tok.thumb' }], now: NOW };
    const prepared = acmeOrderDecider.decide(prepare, fold(fetched));
    expect(prepared).toEqual([{ type: 'AcmeChallengePrepared', data: {
      orderId: 'o1', authorizationId: `id:${AUTHZ_A}`, challengeId: challengeA, type: 'http-01', token: 'tok-a.test-http-01', identifier: 'a.test', keyAuthorization: 'tok.thumb', preparedAt: NOW,
    } }]);
    spec.given([...fetched, ...prepared]).when(prepare).then([]);
  });

  it('records the CA polls of an open challenge, a bounded number of times', () => {
    const poll = { type: 'RecordAcmeChallengePoll' as const, challengeId: challengeA, remoteAddress: '127.0.0.1', userAgent: 'Pebble', maxRecorded: 2, now: NOW };
    let events = fetched;
    events = [...events, ...acmeOrderDecider.decide(poll, fold(events))];
    events = [...events, ...acmeOrderDecider.decide(poll, fold(events))];
    expect(events.filter((e) => e.type === 'AcmeChallengePolled')).toHaveLength(2);
    spec.given(events).when(poll).then([]);
    const valid = decideAll([create, step([
      { kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') },
      { kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'valid', 'valid') },
    ])]);
    spec.given(valid).when(poll).then([]);
  });

  it('chooses the challenge the order asked for, and detects the next step', () => {
    expect(nextStep(fold(decideAll([create])))).toBe('submit');
    const submittedOnly = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') }])]);
    expect(nextStep(fold(submittedOnly))).toBe('fetch-authorizations');
    expect(nextStep(fold(fetched))).toBe('answer-challenge');
    const allValid = [...fetched, ...acmeOrderDecider.decide(step([
      { kind: 'authorization', authorization: authorization(AUTHZ_A, 'a.test', 'valid', 'valid') },
      { kind: 'authorization', authorization: authorization(AUTHZ_B, 'b.test', 'valid', 'valid') },
    ]), fold(fetched))];
    expect(nextStep(fold(allValid))).toBe('sync-order');
    const ready = [...allValid, ...acmeOrderDecider.decide(step([{ kind: 'order', order: order('ready') }]), fold(allValid))];
    expect(nextStep(fold(ready))).toBe('finalize');
    const valid = [...ready, ...acmeOrderDecider.decide(step([{ kind: 'order', order: order('valid', { certificateUrl: 'https://ca.test/cert/1' }) }]), fold(ready))];
    expect(nextStep(fold(valid))).toBe('download');
    const downloaded = [...valid, ...acmeOrderDecider.decide(step([{ kind: 'downloaded', certificateId: 'c1', certificateUrl: 'https://ca.test/cert/1', alternateUrls: [], caChainIds: ['x'] }]), fold(valid))];
    expect(nextStep(fold(downloaded))).toBe('done');
  });

  it('reads the order back before finalize is sent again when the last finalize may have been applied', () => {
    const ready = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('ready') }])]);
    const failedWith = (problem: { type: string; status: number } | null) =>
      [...ready, ...acmeOrderDecider.decide({ ...step([{ kind: 'failed', problem, message: 'x' }]), step: 'finalize' }, fold(ready))];
    expect(nextStep(fold(failedWith(null)))).toBe('sync-order');
    expect(nextStep(fold(failedWith({ type: 'urn:ietf:params:acme:error:serverInternal', status: 500 })))).toBe('sync-order');
    const notReady = failedWith({ type: 'urn:ietf:params:acme:error:orderNotReady', status: 403 });
    expect(nextStep(fold(notReady))).toBe('sync-order');
    // A definite refusal of the request itself: finalize again (with a new CSR) is the next step.
    expect(nextStep(fold(failedWith({ type: 'urn:ietf:params:acme:error:badCSR', status: 400 })))).toBe('finalize');
    // Once synced, the CA's answer settles it: still ready means finalize was not applied.
    const synced = [...notReady, ...acmeOrderDecider.decide(step([{ kind: 'order', order: order('ready') }]), fold(notReady))];
    expect(nextStep(fold(synced))).toBe('finalize');
  });

  it('refuses steps the state rules out', () => {
    expect(() => assertStepAllowed(fold(fetched), 'finalize')).toThrow(IllegalStateError);
    expect(() => assertStepAllowed(fold(fetched), 'download')).toThrow(IllegalStateError);
    expect(() => assertStepAllowed(fold(fetched), 'submit')).toThrow(IllegalStateError);
    expect(() => assertStepAllowed(fold(fetched), 'answer-challenge')).not.toThrow();
  });
});

describe('marks and retries', () => {
  const invalid = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('invalid') }])]);

  it('marks an unfinished order invalid once; never a valid one', () => {
    const pending = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') }])]);
    const mark = { type: 'MarkAcmeOrderInvalid' as const, reason: 'stuck', actor: 'api', now: NOW };
    const marked = [...pending, ...acmeOrderDecider.decide(mark, fold(pending))];
    expect(fold(marked).markedInvalid).toBe(true);
    expect(nextStep(fold(marked))).toBe('failed');
    spec.given(marked).when(mark).then([]);
    const valid = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('valid') }])]);
    spec.given(valid).when(mark).thenThrows(IllegalStateError);
  });

  it('retries failed orders only', () => {
    expect(isRetryable(fold(invalid))).toBe(true);
    spec.given(invalid).when({ type: 'RecordAcmeOrderRetried', newOrderId: 'o2', now: NOW }).then([{ type: 'AcmeOrderRetried', data: { orderId: 'o1', newOrderId: 'o2', retriedAt: NOW } }]);
    const pending = decideAll([create, step([{ kind: 'submitted', orderUrl: ORDER_URL, order: order('pending') }])]);
    spec.given(pending).when({ type: 'RecordAcmeOrderRetried', newOrderId: 'o2', now: NOW }).thenThrows(IllegalStateError);
  });
});
