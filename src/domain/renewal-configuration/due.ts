/**
 * When to renew, as pure arithmetic on epoch milliseconds (the domain reads no clock).
 * Without ARI: when one third of the lifetime remains, or half for a certificate valid for less
 * than 10 days (short-lived certificates need the wider margin: a day's outage is a large share
 * of their life). With ARI (RFC 9773 §4.2): the time chosen at random inside the CA's suggested
 * window, which R2's poller stores.
 */
const DAY_MS = 86_400_000;
export const SHORT_LIVED_MS = 10 * DAY_MS;

export type DueFacts = {
  notBeforeMs: number;
  notAfterMs: number;
  /** RFC 9773: the chosen time inside the suggested window; wins over the lifetime rule. */
  ariChosenRenewalTimeMs?: number | null;
};

/** The lifetime rule alone. */
export function lifetimeRenewAt(notBeforeMs: number, notAfterMs: number): number {
  const lifetime = notAfterMs - notBeforeMs;
  const remaining = lifetime < SHORT_LIVED_MS ? lifetime / 2 : lifetime / 3;
  return Math.floor(notAfterMs - remaining);
}

export function renewAt(facts: DueFacts): number {
  if (facts.ariChosenRenewalTimeMs !== undefined && facts.ariChosenRenewalTimeMs !== null) return facts.ariChosenRenewalTimeMs;
  return lifetimeRenewAt(facts.notBeforeMs, facts.notAfterMs);
}

/** Due when the renewal time has come and no backoff holds it back. No certificate yet: due at once. */
export function isDue(facts: DueFacts | null, nowMs: number, nextAttemptAtMs: number | null = null): boolean {
  if (nextAttemptAtMs !== null && nowMs < nextAttemptAtMs) return false;
  return facts === null || renewAt(facts) <= nowMs;
}

/** Backoff after the n-th consecutive failure (n ≥ 1): 1 min, 10 min, 100 min, then daily. */
export function backoffMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  if (consecutiveFailures >= 4) return DAY_MS;
  return 60_000 * 10 ** (consecutiveFailures - 1);
}

/** The backup takes over after this many primary failures in a row. */
export const PRIMARY_FAILURES_BEFORE_BACKUP = 3;
