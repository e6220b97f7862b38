import { describe, expect, it } from 'vitest';
import { renewalConfigurationDecider, claimRefusal, evolveRenewalConfiguration, type RenewalConfigurationState } from '../../src/domain/renewal-configuration/decider.js';
import { backoffMs, isDue, lifetimeRenewAt, renewAt } from '../../src/domain/renewal-configuration/due.js';
import type { RenewalConfigurationEvent } from '../../src/domain/renewal-configuration/events.js';
import { isoToMs } from '../../src/domain/renewal-configuration/time.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import { systemPolicyDecider } from '../../src/domain/system-policy/policy.js';
import { deciderSpec } from '../support/decider-spec.js';

const DAY = 86_400_000;
const decider = renewalConfigurationDecider((ms) => new Date(ms).toISOString());
const spec = deciderSpec(decider);
const T0 = '2026-01-01T00:00:00.000Z';
const primary = { accountId: 'acct-a', keyTechnology: 'EC_P256', keyPolicy: 'single_use', profile: null };
const backup = { accountId: 'acct-b', keyTechnology: 'RSA_2048', keyPolicy: 'single_use', profile: null };
const certificate = { certificateId: 'cert-1', notBefore: T0, notAfter: '2026-03-31T00:00:00.000Z' };

const created: RenewalConfigurationEvent = { type: 'RenewalConfigurationCreated', data: {
  configurationId: 'rc-1', identifiers: [{ type: 'dns', value: 'a.example', challengeType: 'http-01' }], uniqueFqdnSetId: 'set-1',
  domainNames: ['a.example'], primary, backup, isAutoRenew: true, replacesConfigurationId: null, certificate, createdAt: T0,
} };
const started = (attemptId: string, at: string, useBackup = false): RenewalConfigurationEvent => ({ type: 'RenewalAttemptStarted', data: {
  configurationId: 'rc-1', attemptId, trigger: 'run', useBackup, issuer: useBackup ? backup : primary, startedAt: at,
} });
const failed = (attemptId: string, n: number, primaryFailures: number, at: string, next: string): RenewalConfigurationEvent => ({ type: 'RenewalAttemptFailed', data: {
  configurationId: 'rc-1', attemptId, orderId: null, useBackup: false, message: 'boom', consecutiveFailures: n, primaryFailures, nextAttemptAt: next, failedAt: at,
} });
const start = (now: string, trigger: 'run' | 'queue' | 'manual' = 'run') => ({
  type: 'StartRenewalAttempt' as const, attemptId: 'att-new', trigger, ari: null, staleBefore: new Date(isoToMs(now) - 3_600_000).toISOString(), now,
});
const fold = (events: RenewalConfigurationEvent[]): RenewalConfigurationState => events.reduce(evolveRenewalConfiguration, decider.initialState());

describe('due time (pure)', () => {
  it('renews when a third of the lifetime remains, half under 10 days', () => {
    expect(lifetimeRenewAt(0, 90 * DAY)).toBe(60 * DAY);
    expect(lifetimeRenewAt(0, 6 * DAY)).toBe(3 * DAY);
    expect(lifetimeRenewAt(0, 10 * DAY)).toBe(Math.floor(10 * DAY - (10 * DAY) / 3));
  });
  it('takes the ARI chosen time over the lifetime rule', () => {
    expect(renewAt({ notBeforeMs: 0, notAfterMs: 90 * DAY, ariChosenRenewalTimeMs: 5 * DAY })).toBe(5 * DAY);
    expect(renewAt({ notBeforeMs: 0, notAfterMs: 90 * DAY, ariChosenRenewalTimeMs: null })).toBe(60 * DAY);
  });
  it('is due with no certificate, not before the time, and not during backoff', () => {
    expect(isDue(null, 0)).toBe(true);
    expect(isDue({ notBeforeMs: 0, notAfterMs: 90 * DAY }, 60 * DAY - 1)).toBe(false);
    expect(isDue({ notBeforeMs: 0, notAfterMs: 90 * DAY }, 60 * DAY)).toBe(true);
    expect(isDue(null, 10, 11)).toBe(false);
  });
  it('backs off 1 min, 10 min, 100 min, then daily', () => {
    expect([1, 2, 3, 4, 9].map(backoffMs)).toEqual([60_000, 600_000, 6_000_000, DAY, DAY]);
  });
  it('parses UTC timestamps without Date', () => {
    for (const iso of [T0, '2024-02-29T23:59:59.999Z', '1999-12-31T12:00:00Z', '2100-03-01T00:00:00.5Z']) expect(isoToMs(iso)).toBe(Date.parse(iso));
  });
});

describe('renewal configuration decider', () => {
  it('creates, refusing unusable accounts and wildcards without dns-01', () => {
    const base = { type: 'CreateRenewalConfiguration' as const, configurationId: 'rc-1', identifiers: created.data.identifiers, uniqueFqdnSetId: 'set-1',
      domainNames: ['a.example'], primary, backup, isAutoRenew: true, replacesConfigurationId: null, certificate, unusableAccounts: {}, now: T0 };
    spec.given([]).when(base).then([created]);
    spec.given([]).when({ ...base, unusableAccounts: { 'acct-b': 'is deactivated' } }).thenThrows(ValidationError);
    spec.given([]).when({ ...base, identifiers: [{ type: 'dns', value: '*.a.example', challengeType: 'http-01' }] }).thenThrows(ValidationError);
    spec.given([]).when({ ...base, backup: { ...backup, accountId: 'acct-a' } }).thenThrows(ValidationError);
    spec.given([created]).when(base).then([]);
  });

  it('claims only when due; a running attempt blocks a second claim until it is stale', () => {
    spec.given([created]).when(start('2026-02-01T00:00:00.000Z')).then([]);
    const due = '2026-03-02T00:00:00.000Z';
    spec.given([created]).when(start(due)).then([{ type: 'RenewalAttemptStarted', data: {
      configurationId: 'rc-1', attemptId: 'att-new', trigger: 'run', useBackup: false, issuer: primary, startedAt: due } }]);
    spec.given([created, started('att-1', due)]).when(start('2026-03-02T00:30:00.000Z')).then([]);
    expect(claimRefusal(fold([created, started('att-1', due)]), start('2026-03-02T00:30:00.000Z'))).toBe('an attempt is already running');
    // Its runner died: taken over after an hour.
    expect(decider.decide(start('2026-03-02T01:00:01.000Z'), fold([created, started('att-1', due)]))).toHaveLength(1);
    // manual ignores the due time.
    expect(decider.decide(start('2026-01-02T00:00:00.000Z', 'manual'), fold([created]))).toHaveLength(1);
  });

  it('records a failure with backoff, and uses the backup after three primary failures', () => {
    const at = '2026-03-01T00:00:00.000Z';
    spec.given([created, started('att-1', at)]).when({ type: 'RecordRenewalFailure', attemptId: 'att-1', orderId: 'o-1', message: 'boom', now: at })
      .then([{ type: 'RenewalAttemptFailed', data: { configurationId: 'rc-1', attemptId: 'att-1', orderId: 'o-1', useBackup: false, message: 'boom',
        consecutiveFailures: 1, primaryFailures: 1, nextAttemptAt: '2026-03-01T00:01:00.000Z', failedAt: at } }]);
    const three = [created, started('a1', at), failed('a1', 1, 1, at, at), started('a2', at), failed('a2', 2, 2, at, at), started('a3', at), failed('a3', 3, 3, at, at)];
    const [claim] = decider.decide(start('2026-03-02T00:00:00.000Z'), fold(three));
    expect(claim).toMatchObject({ type: 'RenewalAttemptStarted', data: { useBackup: true, issuer: backup } });
    // During backoff the run does not claim.
    const due = '2026-03-02T00:00:00.000Z';
    const backingOff = fold([created, started('a1', due), failed('a1', 1, 1, due, '2026-03-02T00:01:00.000Z')]);
    expect(decider.decide(start('2026-03-02T00:00:59.000Z'), backingOff)).toEqual([]);
    expect(decider.decide(start('2026-03-02T00:01:00.000Z'), backingOff)).toHaveLength(1);
    // A late report of a taken-over attempt changes nothing.
    spec.given([created, started('att-2', at)]).when({ type: 'RecordRenewalFailure', attemptId: 'att-1', orderId: null, message: 'late', now: at }).then([]);
  });

  it('success resets failures and records lineage', () => {
    const at = '2026-03-01T00:00:00.000Z';
    const next = { certificateId: 'cert-2', notBefore: at, notAfter: '2026-05-30T00:00:00.000Z' };
    spec.given([created, started('a1', at), failed('a1', 1, 1, at, at), started('a2', at)])
      .when({ type: 'RecordRenewalSuccess', attemptId: 'a2', orderId: 'o-2', certificate: next, now: at })
      .then([{ type: 'RenewalAttemptSucceeded', data: { configurationId: 'rc-1', attemptId: 'a2', orderId: 'o-2', certificate: next, replacesCertificateId: 'cert-1', useBackup: false, succeededAt: at } }]);
  });

  it('edit-as-new retires the old configuration; it cannot be reactivated', () => {
    const replaced: RenewalConfigurationEvent = { type: 'RenewalConfigurationReplaced', data: { configurationId: 'rc-1', replacedByConfigurationId: 'rc-2', replacedAt: T0 } };
    spec.given([created]).when({ type: 'ReplaceRenewalConfiguration', replacedByConfigurationId: 'rc-2', now: T0 }).then([replaced]);
    spec.given([created, replaced]).when({ type: 'ActivateRenewalConfiguration', now: T0 }).thenThrows(IllegalStateError);
    spec.given([created, replaced]).when({ type: 'ReplaceRenewalConfiguration', replacedByConfigurationId: 'rc-3', now: T0 }).thenThrows(IllegalStateError);
    spec.given([]).when({ type: 'DeactivateRenewalConfiguration', now: T0 }).thenThrows(NotFoundError);
    spec.given([created]).when({ type: 'DeactivateRenewalConfiguration', now: T0 }).then([{ type: 'RenewalConfigurationDeactivated', data: { configurationId: 'rc-1', deactivatedAt: T0 } }]);
    expect(claimRefusal(fold([created, replaced]), start('2026-03-01T00:00:00.000Z', 'manual'))).toBe('the renewal configuration is not active');
  });

  it('queues a due configuration once; the queue trigger needs a queued item', () => {
    const due = '2026-03-02T00:00:00.000Z';
    const queued: RenewalConfigurationEvent = { type: 'RenewalQueued', data: { configurationId: 'rc-1', queueItemId: 'q-1', queuedAt: due } };
    spec.given([created]).when({ type: 'QueueRenewal', queueItemId: 'q-1', ari: null, now: due }).then([queued]);
    spec.given([created, queued]).when({ type: 'QueueRenewal', queueItemId: 'q-2', ari: null, now: due }).then([]);
    spec.given([created]).when({ type: 'QueueRenewal', queueItemId: 'q-1', ari: null, now: T0 }).then([]);
    spec.given([created]).when(start(due, 'queue')).then([]);
    expect(decider.decide(start(T0, 'queue'), fold([created, queued]))).toHaveLength(1);
    // ARI's chosen time for the current certificate makes it due early (RFC 9773).
    spec.given([created]).when({ type: 'QueueRenewal', queueItemId: 'q-1', ari: { certificateId: 'cert-1', chosenRenewalTime: '2026-01-10T00:00:00.000Z' }, now: '2026-01-11T00:00:00.000Z' })
      .then([{ type: 'RenewalQueued', data: { configurationId: 'rc-1', queueItemId: 'q-1', queuedAt: '2026-01-11T00:00:00.000Z' } }]);
  });

  it('adopts a given certificate that ends later: due time, backoff and a queued renewal follow it; never steps back; waits for a running attempt', () => {
    const newer = { certificateId: 'cert-2', notBefore: '2026-02-01T00:00:00.000Z', notAfter: '2026-05-01T00:00:00.000Z' };
    const adopt = (c = newer) => ({ type: 'AdoptRenewalCertificate' as const, certificate: c, now: '2026-02-02T00:00:00.000Z' });
    const adopted: RenewalConfigurationEvent = { type: 'RenewalConfigurationCertificateAdopted', data: {
      configurationId: 'rc-1', certificate: newer, replacesCertificateId: 'cert-1', adoptedAt: '2026-02-02T00:00:00.000Z',
    } };
    spec.given([created]).when(adopt()).then([adopted]);
    spec.given([created, adopted]).when(adopt()).then([]);
    spec.given([created]).when(adopt(certificate)).then([]);
    spec.given([created]).when(adopt({ ...newer, notAfter: certificate.notAfter })).then([]);
    spec.given([created, started('a-1', T0)]).when(adopt()).then([]);
    const queued: RenewalConfigurationEvent = { type: 'RenewalQueued', data: { configurationId: 'rc-1', queueItemId: 'q-1', queuedAt: T0 } };
    const after = fold([created, failed('a-0', 1, 1, T0, '2026-01-02T00:00:00.000Z'), queued, adopted]);
    expect(after).toMatchObject({ certificate: newer, consecutiveFailures: 0, nextAttemptAt: null, queueItemId: null });
    // Not due right after: the adopted certificate's lifetime decides.
    expect(decider.decide(start('2026-02-03T00:00:00.000Z'), after)).toEqual([]);
  });
});

describe('system policy decider', () => {
  const values = { primary, backup: null };
  it('sets once, refuses bad values', () => {
    const set = { type: 'SetSystemPolicy' as const, name: 'autocert' as const, values, unusableAccounts: {}, now: T0 };
    deciderSpec(systemPolicyDecider).given([]).when(set).then([{ type: 'SystemPolicySet', data: { name: 'autocert', ...values, setAt: T0 } }]);
    deciderSpec(systemPolicyDecider).given([{ type: 'SystemPolicySet', data: { name: 'autocert', ...values, setAt: T0 } }]).when(set).then([]);
    deciderSpec(systemPolicyDecider).given([]).when({ ...set, values: { primary: { ...primary, keyTechnology: 'DSA' }, backup: null } }).thenThrows(ValidationError);
    deciderSpec(systemPolicyDecider).given([]).when({ ...set, unusableAccounts: { 'acct-a': 'is deactivated' } }).thenThrows(ValidationError);
  });
});
