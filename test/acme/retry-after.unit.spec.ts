import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRetryAfter } from '../../src/infra/acme/retry-after.js';

const now = new Date('2025-06-01T12:00:00.000Z');

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toEqual({ seconds: 120, notBefore: '2025-06-01T12:02:00.000Z' });
    expect(parseRetryAfter(' 0 ', now)).toEqual({ seconds: 0, notBefore: '2025-06-01T12:00:00.000Z' });
  });

  it('reads an IMF-fixdate', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toEqual({ seconds: 30, notBefore: '2025-06-01T12:00:30.000Z' });
  });

  it('reads the obsolete RFC 850 and asctime forms', () => {
    expect(parseRetryAfter('Sunday, 01-Jun-25 12:01:00 GMT', now)?.seconds).toBe(60);
    expect(parseRetryAfter('Sun Jun  1 12:00:10 2025', now)?.seconds).toBe(10);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Sat, 31 May 2025 12:00:00 GMT', now)).toEqual({ seconds: 0, notBefore: now.toISOString() });
  });

  it('rounds a date between seconds up', () => {
    const later = new Date('2025-06-01T12:00:00.400Z');
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:02 GMT', later)).toEqual({ seconds: 2, notBefore: '2025-06-01T12:00:02.000Z' });
  });

  it.each(['', 'soon', '-5', '1.5', '1e3', 'Sun, 31 Feb 2025 12:00:00 GMT', 'Sun, 01 Foo 2025 12:00:00 GMT', '99999999999999999999'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('is undefined without a header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('maps two-digit years within 50 years of now (RFC 9110 §5.6.7)', () => {
    expect(new Date(parseHttpDate('Monday, 01-Jan-74 00:00:00 GMT', now)!).getUTCFullYear()).toBe(2074);
    expect(new Date(parseHttpDate('Thursday, 01-Jan-76 00:00:00 GMT', now)!).getUTCFullYear()).toBe(1976);
  });
});
