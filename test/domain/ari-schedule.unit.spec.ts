/** The pure ARI timing: the renewal time drawn inside the window, and when to poll again. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { ariDecider, type RecordAriAnswer } from '../../src/domain/ari/decider.js';
import { chooseRenewalTimeMs, MAX_POLL_INTERVAL_MS, nextPollAfterAnswerMs, nextPollAfterFailureMs } from '../../src/domain/ari/schedule.js';
import { isoFromMs } from '../../src/domain/ari/time.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-03-01T10:00:00.000Z');
const window = { startMs: now + 24 * HOUR, endMs: now + 48 * HOUR };

describe('isoFromMs', () => {
  it('agrees with Date#toISOString', () => {
    for (const ms of [0, 1, 951_782_400_000, 1_709_164_800_123, 4_102_444_799_999, now, -86_400_001, 253_402_300_799_999]) {
      expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
    }
    for (let i = 0; i < 2000; i += 1) {
      const ms = Math.floor(Math.random() * 4_102_444_800_000);
      expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('schedule', () => {
  it('draws the renewal time uniformly inside [start, end)', () => {
    expect(chooseRenewalTimeMs(window, 0)).toBe(window.startMs);
    expect(chooseRenewalTimeMs(window, 0.5)).toBe(now + 36 * HOUR);
    expect(chooseRenewalTimeMs(window, 0.999999)).toBeLessThan(window.endMs);
    expect(chooseRenewalTimeMs(window, 7)).toBeLessThan(window.endMs);
  });

  it('polls again 6–12 h later without Retry-After: at least twice a day, spread', () => {
    expect(nextPollAfterAnswerMs(now, null, 0)).toBe(now + 6 * HOUR);
    expect(nextPollAfterAnswerMs(now, null, 0.5)).toBe(now + 9 * HOUR);
    expect(nextPollAfterAnswerMs(now, null, 0.9999)).toBeLessThan(now + MAX_POLL_INTERVAL_MS);
  });

  it('honours Retry-After within 1 min – 12 h', () => {
    expect(nextPollAfterAnswerMs(now, 3 * 3600, 0.7)).toBe(now + 3 * HOUR);
    expect(nextPollAfterAnswerMs(now, 1, 0.7)).toBe(now + 60_000);
    expect(nextPollAfterAnswerMs(now, 3 * 86_400, 0.7)).toBe(now + MAX_POLL_INTERVAL_MS);
  });

  it('backs off after failures, or waits for a 503\'s Retry-After', () => {
    expect(nextPollAfterFailureMs(now, 1, 120, 0.3)).toBe(now + 120_000);
    expect(nextPollAfterFailureMs(now, 1, null, 0)).toBe(now + 150_000);
    expect(nextPollAfterFailureMs(now, 3, null, 0)).toBe(now + 600_000);
    expect(nextPollAfterFailureMs(now, 30, null, 0.9999)).toBeLessThanOrEqual(now + MAX_POLL_INTERVAL_MS);
  });
});

describe('ariDecider', () => {
  const answer = (overrides: Partial<RecordAriAnswer> = {}): RecordAriAnswer => ({
    type: 'RecordAriAnswer', certificateId: 'c1', acmeServerId: 's1', ariIdentifier: 'a.b', nowMs: now,
    window, explanationUrl: null, retryAfterSeconds: 21_600, random: { renewal: 0.25, poll: 0.5 }, ...overrides,
  });

  it('records the window, Retry-After, the drawn time and the next poll', () => {
    const [event] = ariDecider.decide(answer(), ariDecider.initialState());
    expect(event).toEqual({
      type: 'AriRenewalInfoFetched',
      data: {
        certificateId: 'c1', acmeServerId: 's1', ariIdentifier: 'a.b',
        suggestedWindow: { start: '2026-03-02T10:00:00.000Z', end: '2026-03-03T10:00:00.000Z' },
        explanationUrl: null, retryAfter: 21_600,
        chosenRenewalTime: '2026-03-02T16:00:00.000Z',
        nextPollAt: '2026-03-01T16:00:00.000Z',
        fetchedAt: '2026-03-01T10:00:00.000Z',
      },
    });
  });

  it('keeps the drawn time while the window stays the same, and draws again when it moves', () => {
    const first = ariDecider.decide(answer(), ariDecider.initialState());
    const state = first.reduce(ariDecider.evolve, ariDecider.initialState());
    const [same] = ariDecider.decide(answer({ nowMs: now + 6 * HOUR, random: { renewal: 0.9, poll: 0.5 } }), state);
    expect(same!.type === 'AriRenewalInfoFetched' && same!.data.chosenRenewalTime).toBe('2026-03-02T16:00:00.000Z');
    const moved = { startMs: now, endMs: now + 2 * HOUR };
    const [other] = ariDecider.decide(answer({ window: moved, random: { renewal: 0.5, poll: 0.5 } }), state);
    expect(other!.type === 'AriRenewalInfoFetched' && other!.data.chosenRenewalTime).toBe('2026-03-01T11:00:00.000Z');
  });

  it('counts failures and resets the count on the next answer', () => {
    const failure = { type: 'RecordAriFailure' as const, certificateId: 'c1', acmeServerId: 's1', ariIdentifier: 'a.b', nowMs: now, status: 503, reason: 'down', retryAfterSeconds: null, random: { poll: 0 } };
    let state = ariDecider.initialState();
    for (const expected of [1, 2]) {
      const [event] = ariDecider.decide(failure, state);
      expect(event!.type === 'AriRenewalInfoFetchFailed' && event!.data.consecutiveFailures).toBe(expected);
      state = ariDecider.evolve(state, event!);
    }
    state = ariDecider.decide(answer(), state).reduce(ariDecider.evolve, state);
    expect(state.consecutiveFailures).toBe(0);
  });

  it('refuses an inverted window', () => {
    expect(() => ariDecider.decide(answer({ window: { startMs: now, endMs: now } }), ariDecider.initialState())).toThrow(ValidationError);
  });
});
