import { describe, expect, it } from 'vitest';
import { assessExpiry, expiryAlertDecider } from '../../src/domain/expiry-alert/decider.js';
import type { CertificateExpiryAlertRaised } from '../../src/domain/expiry-alert/events.js';
import { deciderSpec } from '../support/decider-spec.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3);
const none = { renewalConfigurationId: null, failing: false };
const healthy = { renewalConfigurationId: 'rc-1', failing: false };
const failing = { renewalConfigurationId: 'rc-1', failing: true };

describe('assessExpiry', () => {
  it('alerts uncovered certificates from 30 days, failing renewals from 14, late healthy ones from 7', () => {
    expect(assessExpiry(NOW + 30 * DAY + 1, NOW, none)).toBeNull();
    expect(assessExpiry(NOW + 30 * DAY, NOW, none)).toEqual({ risk: 'no_renewal', level: 30 });
    expect(assessExpiry(NOW + 14 * DAY + 1, NOW, failing)).toBeNull();
    expect(assessExpiry(NOW + 14 * DAY, NOW, failing)).toEqual({ risk: 'renewal_failing', level: 14 });
    expect(assessExpiry(NOW + 7 * DAY + 1, NOW, healthy)).toBeNull();
    expect(assessExpiry(NOW + 7 * DAY, NOW, healthy)).toEqual({ risk: 'renewal_late', level: 7 });
  });

  it('picks the narrowest level reached; past notAfter is level 0', () => {
    expect(assessExpiry(NOW + 20 * DAY, NOW, none)?.level).toBe(30);
    expect(assessExpiry(NOW + 13 * DAY, NOW, none)?.level).toBe(14);
    expect(assessExpiry(NOW + 2.5 * DAY, NOW, none)?.level).toBe(3);
    expect(assessExpiry(NOW + 1 * DAY, NOW, none)?.level).toBe(1);
    expect(assessExpiry(NOW, NOW, none)?.level).toBe(0);
    expect(assessExpiry(NOW - DAY, NOW, failing)).toEqual({ risk: 'renewal_failing', level: 0 });
  });
});

describe('expiry alert decider', () => {
  const spec = deciderSpec(expiryAlertDecider);
  const alert = (level: number): CertificateExpiryAlertRaised => ({
    type: 'CertificateExpiryAlertRaised',
    data: { certificateId: 'c1', domainNames: ['a.test'], notAfter: '2026-12-10T00:00:00.000Z', level, risk: 'no_renewal', renewalConfigurationId: null, raisedAt: '2026-12-03T00:00:00.000Z' },
  });
  const raise = (level: number) => ({ type: 'RaiseExpiryAlert', alert: alert(level).data }) as const;

  it('raises each level once, and never a wider one after a narrower', () => {
    spec.given([]).when(raise(7)).then([alert(7)]);
    spec.given([alert(7)]).when(raise(7)).then([]);
    spec.given([alert(7)]).when(raise(14)).then([]);
    spec.given([alert(14)]).when(raise(3)).then([alert(3)]);
  });
});
