/**
 * `Retry-After` (RFC 9110 §10.2.3), sent by ACME servers on 429 and 503 (RFC 8555 §6.6) and
 * while orders and authorizations are processing (§7.4, §8.2).
 */

/** Plain JSON on purpose: it lands in event data. */
export type RetryAfter = {
  /** Whole seconds to wait from `now`, never negative. */
  seconds: number;
  /** The moment the wait ends, ISO-8601 UTC. */
  notBefore: string;
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: IMF-fixdate is what servers send; recipients must also read the two obsolete forms.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ([a-z]{3}) (\\d{4}) ${TIME} gmt$`, 'i');
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-([a-z]{3})-(\\d{2}) ${TIME} gmt$`, 'i');
const ASCTIME_DATE = new RegExp(`^${DAY} ([a-z]{3}) ([ \\d]\\d) ${TIME} (\\d{4})$`, 'i');

function utc(year: number, month: string, day: number, h: string, m: string, s: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (monthIndex < 0) return undefined;
  const ms = Date.UTC(year, monthIndex, day, Number(h), Number(m), Number(s));
  // Date.UTC rolls 31 Feb over into March: such a date is malformed, not a date.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** An HTTP-date as epoch milliseconds, or undefined when it is none of the three forms. */
export function parseHttpDate(value: string, now: Date = new Date()): number | undefined {
  const text = value.trim();
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    const [, day, month, year, h, m, s] = match as unknown as string[];
    return utc(Number(year), month!, Number(day), h!, m!, s!);
  }
  match = RFC850_DATE.exec(text);
  if (match) {
    const [, day, month, yy, h, m, s] = match as unknown as string[];
    // §5.6.7: a two-digit year more than 50 years in the future is the past century.
    let year = Math.floor(now.getUTCFullYear() / 100) * 100 + Number(yy);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, month!, Number(day), h!, m!, s!);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) {
    const [, month, day, h, m, s, year] = match as unknown as string[];
    return utc(Number(year), month!, Number(day!.trim()), h!, m!, s!);
  }
  return undefined;
}

/**
 * `delay-seconds` or an HTTP-date, resolved against `now`. A date in the past means "now"
 * (0 s). Anything else — negative or fractional numbers, junk — is ignored (undefined),
 * as the header is advice, not a contract.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): RetryAfter | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let untilMs: number | undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    if (!Number.isSafeInteger(seconds)) return undefined;
    untilMs = now.getTime() + seconds * 1000;
  } else {
    untilMs = parseHttpDate(text, now);
  }
  // Past ±8.64e15 ms a Date is invalid: such a header is junk, not a very long wait.
  if (untilMs === undefined || Number.isNaN(new Date(untilMs).getTime())) return undefined;
  const notBefore = Math.max(untilMs, now.getTime());
  return { seconds: Math.ceil((notBefore - now.getTime()) / 1000), notBefore: new Date(notBefore).toISOString() };
}
