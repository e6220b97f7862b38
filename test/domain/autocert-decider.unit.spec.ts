import { describe, expect, it } from 'vitest';
import { AutocertCoolingDownError, AutocertInProgressError, autocertDecider, type AutocertState } from '../../src/domain/autocert/decider.js';
import type { AutocertEvent } from '../../src/domain/autocert/events.js';
import { globMatches, nameVerdict, parsePatternList } from '../../src/domain/autocert/name-rules.js';
import { fold } from '../../src/domain/shared/decider.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 25, 10, minutes)).toISOString();
const start = (minutes: number, attemptId = `a-${minutes}`) => ({
  type: 'StartAutocertAttempt' as const, domainName: 'a.example.test', attemptId, now: at(minutes), staleBefore: at(minutes - 10),
});
const stateOf = (events: AutocertEvent[]): AutocertState => fold(autocertDecider, events);
const started = (minutes: number, attemptId = `a-${minutes}`): AutocertEvent => ({ type: 'AutocertAttemptStarted', data: { domainName: 'a.example.test', attemptId, startedAt: at(minutes) } });
const failed = (minutes: number, attemptId: string): AutocertEvent => ({
  type: 'AutocertAttemptFailed', data: { domainName: 'a.example.test', attemptId, orderId: null, reason: 'challenge failed', failedAt: at(minutes), retryNotBefore: at(minutes + 10) },
});

describe('autocert name rules', () => {
  it('matches whole names by glob, case-insensitively', () => {
    expect(globMatches('*.example.test', 'www.example.test')).toBe(true);
    expect(globMatches('*.example.test', 'example.test')).toBe(false);
    expect(globMatches('*.example.test', 'a.b.example.test')).toBe(true);
    expect(globMatches('shop?.example.test', 'shop1.example.test')).toBe(true);
    expect(globMatches('a.example.test', 'a-example.test')).toBe(false); // dots are literal
    expect(globMatches('*.EXAMPLE.test', 'x.example.test')).toBe(true);
  });

  it('refuses blocklisted names even when allowed, and names outside a non-empty allow list', () => {
    const rules = { blocklist: ['forbidden-*', '*.internal'], allow: ['*.example.test'] };
    expect(nameVerdict('forbidden-1.example.test', rules)).toBe('blocklisted');
    expect(nameVerdict('db.internal', rules)).toBe('blocklisted');
    expect(nameVerdict('other.test', rules)).toBe('not_allowed');
    expect(nameVerdict('ok.example.test', rules)).toBe('allowed');
    expect(nameVerdict('anything.test', { blocklist: [], allow: [] })).toBe('allowed');
  });

  it('reads the comma-separated configuration', () => {
    expect(parsePatternList(' *.Example.test, ,forbidden-* ')).toEqual(['*.example.test', 'forbidden-*']);
    expect(parsePatternList(undefined)).toEqual([]);
  });
});

describe('autocert attempts', () => {
  it('starts an attempt on an empty stream', () => {
    expect(autocertDecider.decide(start(0), stateOf([]))).toEqual([started(0)]);
  });

  it('refuses a second attempt while one is open, unless that one is stale', () => {
    const open = stateOf([started(0)]);
    expect(() => autocertDecider.decide(start(5), open)).toThrow(AutocertInProgressError);
    expect(autocertDecider.decide(start(11), open)).toEqual([started(11)]);
  });

  it('refuses for ten minutes after a failure, then allows', () => {
    const state = stateOf([started(0, 'x'), failed(1, 'x')]);
    expect(state.retryNotBefore).toBe(at(11));
    expect(() => autocertDecider.decide(start(10), state)).toThrow(AutocertCoolingDownError);
    try {
      autocertDecider.decide(start(10), state);
    } catch (error) {
      expect((error as AutocertCoolingDownError).notBefore).toBe(at(11));
    }
    expect(autocertDecider.decide(start(11), state)).toHaveLength(1);
  });

  it('finishes only the open attempt', () => {
    const state = stateOf([started(0, 'x')]);
    expect(() => autocertDecider.decide({ type: 'FinishAutocertAttempt', attemptId: 'y', now: at(1), outcome: 'succeeded', orderId: 'o', certificateId: 'c' }, state)).toThrow(/not the open one/);
    expect(autocertDecider.decide({ type: 'FinishAutocertAttempt', attemptId: 'x', now: at(1), outcome: 'succeeded', orderId: 'o', certificateId: 'c' }, state))
      .toEqual([{ type: 'AutocertAttemptSucceeded', data: { domainName: 'a.example.test', attemptId: 'x', orderId: 'o', certificateId: 'c', succeededAt: at(1) } }]);
  });
});

describe('autocert configuration', () => {
  it('reads CERTLEDGER_AUTOCERT_BLOCKLIST and CERTLEDGER_AUTOCERT_ALLOW', async () => {
    const { loadConfig } = await import('../../src/infra/config.js');
    expect(loadConfig({ CERTLEDGER_AUTOCERT_BLOCKLIST: 'forbidden-*, *.internal', CERTLEDGER_AUTOCERT_ALLOW: '*.example.com' }).autocertNames)
      .toEqual({ blocklist: ['forbidden-*', '*.internal'], allow: ['*.example.com'] });
    expect(loadConfig({}).autocertNames).toEqual({ blocklist: [], allow: [] });
  });
});
