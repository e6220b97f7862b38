/**
 * One certificate's ARI polling: each answer or failure becomes one event with the next poll
 * time; the chosen renewal time is drawn once per window (randomness passed in).
 */
import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { AriEvent } from './events.js';
import { chooseRenewalTimeMs, nextPollAfterAnswerMs, nextPollAfterFailureMs } from './schedule.js';
import { isoFromMs } from './time.js';

type Poll = {
  certificateId: string;
  acmeServerId: string;
  ariIdentifier: string;
  nowMs: number;
  retryAfterSeconds: number | null;
};

export type RecordAriAnswer = Poll & {
  type: 'RecordAriAnswer';
  window: { startMs: number; endMs: number };
  explanationUrl: string | null;
  /** Two independent draws in [0, 1): the time inside the window, and the poll jitter. */
  random: { renewal: number; poll: number };
};

export type RecordAriFailure = Poll & {
  type: 'RecordAriFailure';
  status: number | null;
  reason: string;
  random: { poll: number };
};

export type AriCommand = RecordAriAnswer | RecordAriFailure;

export type AriState = {
  window: { start: string; end: string } | null;
  chosenRenewalTime: string | null;
  consecutiveFailures: number;
};

export const ariDecider: Decider<AriCommand, AriState, AriEvent> = {
  initialState: () => ({ window: null, chosenRenewalTime: null, consecutiveFailures: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AriRenewalInfoFetched':
        return { window: { ...event.data.suggestedWindow }, chosenRenewalTime: event.data.chosenRenewalTime, consecutiveFailures: 0 };
      case 'AriRenewalInfoFetchFailed':
        return { ...state, consecutiveFailures: event.data.consecutiveFailures };
      default:
        return state;
    }
  },
  decide: (command, state) => {
    const base = { certificateId: command.certificateId, acmeServerId: command.acmeServerId, ariIdentifier: command.ariIdentifier, retryAfter: command.retryAfterSeconds };
    if (command.type === 'RecordAriFailure') {
      const consecutiveFailures = state.consecutiveFailures + 1;
      return [{
        type: 'AriRenewalInfoFetchFailed',
        data: {
          ...base, status: command.status, reason: command.reason, consecutiveFailures,
          nextPollAt: isoFromMs(nextPollAfterFailureMs(command.nowMs, consecutiveFailures, command.retryAfterSeconds, command.random.poll)),
          failedAt: isoFromMs(command.nowMs),
        },
      }];
    }
    const { startMs, endMs } = command.window;
    if (!(endMs > startMs)) throw new ValidationError({ suggestedWindow: 'ends before it starts (RFC 9773 §4.2)' });
    const suggestedWindow = { start: isoFromMs(startMs), end: isoFromMs(endMs) };
    // §4.2: the same window again keeps the time already drawn; drawing anew at every poll would
    // pull renewals towards the window's start.
    const sameWindow = state.window?.start === suggestedWindow.start && state.window.end === suggestedWindow.end && state.chosenRenewalTime !== null;
    const chosenRenewalTime = sameWindow ? state.chosenRenewalTime! : isoFromMs(chooseRenewalTimeMs(command.window, command.random.renewal));
    return [{
      type: 'AriRenewalInfoFetched',
      data: {
        ...base, suggestedWindow, explanationUrl: command.explanationUrl, chosenRenewalTime,
        nextPollAt: isoFromMs(nextPollAfterAnswerMs(command.nowMs, command.retryAfterSeconds, command.random.poll)),
        fetchedAt: isoFromMs(command.nowMs),
      },
    }];
  },
};
