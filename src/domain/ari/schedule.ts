/**
 * When to renew inside an ARI window and when to ask again (RFC 9773 §4.2–4.3), as pure
 * arithmetic on epoch milliseconds; every random draw is passed in as a number in [0, 1).
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The issue asks for at least two polls a day per certificate: never more than 12 h apart. */
export const MAX_POLL_INTERVAL_MS = 12 * HOUR_MS;
/** Without Retry-After the next poll lands 6–12 h later, at random, so a fleet does not poll in step. */
export const MIN_DEFAULT_POLL_INTERVAL_MS = 6 * HOUR_MS;
/** A Retry-After shorter than this is a misconfiguration, not a request to hammer the CA. */
export const MIN_POLL_INTERVAL_MS = MINUTE_MS;

export type Window = { startMs: number; endMs: number };

/**
 * §4.2: a uniformly random time inside [start, end). A time already past means "renew now":
 * the due check (renewal-configuration/due.ts) compares it with the clock.
 */
export function chooseRenewalTimeMs(window: Window, random: number): number {
  const span = Math.max(0, window.endMs - window.startMs);
  return window.startMs + Math.floor(clampUnit(random) * span);
}

/**
 * The next poll after an answer: Retry-After honoured (§4.3.3) but held to 1 min – 12 h, so a
 * certificate is still checked twice a day; without one, 6–12 h spread at random.
 */
export function nextPollAfterAnswerMs(nowMs: number, retryAfterSeconds: number | null, random: number): number {
  if (retryAfterSeconds !== null) {
    return nowMs + clamp(retryAfterSeconds * 1000, MIN_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS);
  }
  return nowMs + MIN_DEFAULT_POLL_INTERVAL_MS + Math.floor(clampUnit(random) * (MAX_POLL_INTERVAL_MS - MIN_DEFAULT_POLL_INTERVAL_MS));
}

/**
 * After a failed poll (a 503, a timeout, a bad body): the server's Retry-After if it sent one
 * (§4.3.3), else 5 min doubling per consecutive failure with jitter, never past 12 h.
 */
export function nextPollAfterFailureMs(nowMs: number, consecutiveFailures: number, retryAfterSeconds: number | null, random: number): number {
  if (retryAfterSeconds !== null) return nowMs + clamp(retryAfterSeconds * 1000, MIN_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS);
  const base = Math.min(MAX_POLL_INTERVAL_MS, 5 * MINUTE_MS * 2 ** Math.max(0, consecutiveFailures - 1));
  // Jitter in [0.5, 1): failures across a fleet (a CA outage) must not come back in step.
  return nowMs + Math.floor(base * (0.5 + clampUnit(random) / 2));
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const clampUnit = (random: number) => (Number.isFinite(random) ? clamp(random, 0, 1 - Number.EPSILON) : 0);
