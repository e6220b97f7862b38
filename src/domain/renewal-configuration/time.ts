/**
 * ISO 8601 UTC timestamps (as toISOString writes them, or with an offset-free seconds form) to
 * epoch milliseconds without the Date global: the domain reads no clock and parses by arithmetic.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?Z$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isoToMs(value: string): number {
  const m = ISO.exec(value);
  if (!m) throw new RangeError(`not a UTC ISO 8601 timestamp: ${value}`);
  const [, y, mo, d, h, mi, s, ms] = m;
  const days = daysFromCivil(Number(y), Number(mo), Number(d));
  return ((days * 24 + Number(h)) * 60 + Number(mi)) * 60_000 + Number(s) * 1000 + Number((ms ?? '0').padEnd(3, '0'));
}
