/**
 * When to renew (pure; see src/domain/renewal-configuration/due.ts). Date-friendly wrappers for
 * callers outside the domain.
 */
import { isDue, renewAt, type DueFacts } from '../../domain/renewal-configuration/due.js';

export { backoffMs, isDue, lifetimeRenewAt, renewAt, PRIMARY_FAILURES_BEFORE_BACKUP, SHORT_LIVED_MS, type DueFacts } from '../../domain/renewal-configuration/due.js';

export type CertificateLifetime = { notBefore: Date; notAfter: Date; ariChosenRenewalTime?: Date | null };

const facts = (c: CertificateLifetime): DueFacts => ({
  notBeforeMs: c.notBefore.getTime(), notAfterMs: c.notAfter.getTime(), ariChosenRenewalTimeMs: c.ariChosenRenewalTime?.getTime() ?? null,
});

export const renewalTime = (certificate: CertificateLifetime): Date => new Date(renewAt(facts(certificate)));

export const isDueAt = (certificate: CertificateLifetime | null, now: Date, nextAttemptAt: Date | null = null): boolean =>
  isDue(certificate ? facts(certificate) : null, now.getTime(), nextAttemptAt?.getTime() ?? null);
