import { ValidationError } from '../shared/errors.js';

export const MAX_REASON_LENGTH = 1000;

/** What every lifecycle mark (certificate, domain, private key) carries: why, who, and when. */
export type LifecycleMark = {
  reason: string;
  actor: string;
  /** ISO-8601 UTC */
  now: string;
};

/**
 * The reason is part of the audit record, so the domain refuses a mark without one whoever the
 * caller is (HTTP checks the same at its edge; the CLI or a script may not).
 */
export function assertReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw new ValidationError({ reason: 'a reason is required' });
  if (trimmed.length > MAX_REASON_LENGTH) throw new ValidationError({ reason: `at most ${MAX_REASON_LENGTH} characters` });
  return trimmed;
}

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

/** ISO-8601 UTC to one fixed width (milliseconds), so instants compare as strings: no Date in the domain. */
function instant(iso: string): string {
  const match = ISO_UTC.exec(iso);
  if (!match) throw new ValidationError({ now: `"${iso}" is not an ISO-8601 UTC time` });
  return `${match[1]}.${((match[2] ?? '') + '000').slice(0, 3)}Z`;
}

/**
 * RFC 5280 §4.1.2.5: the validity period runs through notAfter inclusive, so a certificate is
 * expired only once `now` is strictly later than its notAfter.
 */
export const isExpiredAt = (notAfter: string, now: string): boolean => instant(now) > instant(notAfter);
