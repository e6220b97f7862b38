/**
 * One stream per name (`autocert-<name>`): at most one attempt at a time, none within ten
 * minutes of a failure. The expected revision on append makes two racing starters one.
 */
import { IllegalStateError } from '../shared/errors.js';
import type { Decider } from '../shared/decider.js';
import type { AutocertCommand } from './commands.js';
import type { AutocertEvent } from './events.js';

export type AutocertState = {
  domainName: string | null;
  open: { attemptId: string; startedAt: string } | null;
  retryNotBefore: string | null;
  lastFailure: string | null;
};

export class AutocertInProgressError extends IllegalStateError {}

/** Refused until `notBefore`: the HTTP layer answers 429 with Retry-After. */
export class AutocertCoolingDownError extends IllegalStateError {
  constructor(readonly notBefore: string, message: string) {
    super(message);
  }
}

export const autocertStream = (domainName: string) => `autocert-${domainName}`;

export const autocertDecider: Decider<AutocertCommand, AutocertState, AutocertEvent> = {
  initialState: () => ({ domainName: null, open: null, retryNotBefore: null, lastFailure: null }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AutocertAttemptStarted':
        return { ...state, domainName: event.data.domainName, open: { attemptId: event.data.attemptId, startedAt: event.data.startedAt } };
      case 'AutocertAttemptSucceeded':
        return { ...state, open: null, retryNotBefore: null };
      case 'AutocertAttemptFailed':
        return { ...state, open: null, retryNotBefore: event.data.retryNotBefore, lastFailure: event.data.reason };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'StartAutocertAttempt': {
        if (state.open && state.open.startedAt >= command.staleBefore) {
          throw new AutocertInProgressError(`an autocert attempt for ${command.domainName} is in progress (since ${state.open.startedAt})`);
        }
        if (state.retryNotBefore && command.now < state.retryNotBefore) {
          throw new AutocertCoolingDownError(state.retryNotBefore,
            `the last autocert attempt for ${command.domainName} failed (${state.lastFailure ?? 'unknown reason'}); the next one is allowed from ${state.retryNotBefore}`);
        }
        return [{ type: 'AutocertAttemptStarted', data: { domainName: command.domainName, attemptId: command.attemptId, startedAt: command.now } }];
      }
      case 'FinishAutocertAttempt': {
        if (!state.open || state.open.attemptId !== command.attemptId || state.domainName === null) {
          throw new IllegalStateError(`autocert attempt ${command.attemptId} is not the open one`);
        }
        const { domainName } = state;
        return command.outcome === 'succeeded'
          ? [{ type: 'AutocertAttemptSucceeded', data: { domainName, attemptId: command.attemptId, orderId: command.orderId, certificateId: command.certificateId, succeededAt: command.now } }]
          : [{ type: 'AutocertAttemptFailed', data: { domainName, attemptId: command.attemptId, orderId: command.orderId, reason: command.reason, failedAt: command.now, retryNotBefore: command.retryNotBefore } }];
      }
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
