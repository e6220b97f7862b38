/**
 * Times are ISO-8601 strings from one clock (toISOString), so they compare as strings; the
 * handler derives `staleBefore` and `retryNotBefore` from `now` and the constants below.
 */
export type StartAutocertAttempt = {
  type: 'StartAutocertAttempt';
  domainName: string;
  attemptId: string;
  now: string;
  /** An attempt started before this never finished (its process died): it no longer blocks. */
  staleBefore: string;
};

export type FinishAutocertAttempt = {
  type: 'FinishAutocertAttempt';
  attemptId: string;
  now: string;
} & (
  | { outcome: 'succeeded'; orderId: string; certificateId: string }
  | { outcome: 'failed'; orderId: string | null; reason: string; retryNotBefore: string }
);

export type AutocertCommand = StartAutocertAttempt | FinishAutocertAttempt;

/** None within ten minutes of a failure. */
export const AUTOCERT_FAILURE_COOLDOWN_MS = 10 * 60_000;
/** Longer than any synchronous issuance (order steps poll for at most a minute each). */
export const AUTOCERT_ATTEMPT_STALE_MS = 10 * 60_000;
