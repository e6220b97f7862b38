import type { Decider } from '../shared/decider.js';
import type { CertificateExpiryAlertRaised, ExpiryAlertEvent, ExpiryRisk } from './events.js';

/** Alert levels in days left, widest first; 0 means expired. */
export const ALERT_LEVELS = [30, 14, 7, 3, 1, 0] as const;

/** How long before notAfter each risk is worth an alert: nothing will renew, a renewal keeps failing, or a healthy one has not happened. */
const WINDOW_DAYS: Record<ExpiryRisk, number> = { no_renewal: 30, renewal_failing: 14, renewal_late: 7 };

export type Coverage = { renewalConfigurationId: string | null; failing: boolean };

const DAY_MS = 86_400_000;

/** The risk of a served certificate, or null when a renewal is expected in time. Times are epoch ms (the caller's clock). */
export function assessExpiry(notAfterMs: number, nowMs: number, coverage: Coverage): { risk: ExpiryRisk; level: number } | null {
  const risk: ExpiryRisk = coverage.renewalConfigurationId === null ? 'no_renewal' : coverage.failing ? 'renewal_failing' : 'renewal_late';
  const daysLeft = (notAfterMs - nowMs) / DAY_MS;
  if (daysLeft > WINDOW_DAYS[risk]) return null;
  // The narrowest level the time left has reached.
  const level = [...ALERT_LEVELS].reverse().find((l) => daysLeft <= l) ?? ALERT_LEVELS[0];
  return { risk, level };
}

export type RaiseExpiryAlert = { type: 'RaiseExpiryAlert'; alert: CertificateExpiryAlertRaised['data'] };

export type ExpiryAlertState = { lowestLevel: number | null };

export const expiryAlertDecider: Decider<RaiseExpiryAlert, ExpiryAlertState, ExpiryAlertEvent> = {
  initialState: () => ({ lowestLevel: null }),
  evolve: (state, event) => ({
    lowestLevel: state.lowestLevel === null ? event.data.level : Math.min(state.lowestLevel, event.data.level),
  }),
  // Each level once; a wider level after a narrower one (a clock step back) says nothing new.
  decide: (command, state) =>
    state.lowestLevel !== null && command.alert.level >= state.lowestLevel ? [] : [{ type: 'CertificateExpiryAlertRaised', data: command.alert }],
};
