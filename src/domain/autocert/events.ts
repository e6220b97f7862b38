import type { Event } from '../shared/event.js';

/** One autocert attempt for a name has begun: a second one waits for it or is refused. */
export type AutocertAttemptStarted = Event<'AutocertAttemptStarted', { domainName: string; attemptId: string; startedAt: string }>;

export type AutocertAttemptSucceeded = Event<'AutocertAttemptSucceeded', {
  domainName: string; attemptId: string; orderId: string; certificateId: string; succeededAt: string;
}>;

/** No new attempt for the name before `retryNotBefore` (ten minutes after the failure). */
export type AutocertAttemptFailed = Event<'AutocertAttemptFailed', {
  domainName: string; attemptId: string; orderId: string | null; reason: string; failedAt: string; retryNotBefore: string;
}>;

export type AutocertEvent = AutocertAttemptStarted | AutocertAttemptSucceeded | AutocertAttemptFailed;
