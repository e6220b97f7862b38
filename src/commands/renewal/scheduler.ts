import type { Logger } from '../../infra/logger.js';
import { startPeriodic, type PeriodicTask } from '../maintenance/periodic.js';
import type { RenewalDeps } from './deps.js';
import { pollDueRenewalInfo } from './ari/poll-due.js';
import { runRenewals } from './run.js';

/**
 * ARI polls and a renewal run every 15 minutes, first one a minute after start. Off by default
 * (CERTLEDGER_RENEWAL_SCHEDULER=on); several instances may run it, since each configuration is
 * claimed on its stream, but one per database is enough.
 */
export const RENEWAL_SCHEDULE = { firstDelayMs: 60_000, intervalMs: 15 * 60_000 };

export function startRenewalScheduler(deps: RenewalDeps, logger: Logger, schedule = RENEWAL_SCHEDULE): PeriodicTask {
  return startPeriodic(async () => {
    // ARI first, so a window the CA just moved earlier is renewed in this same pass (RFC 9773 §4.2).
    const ari = await pollDueRenewalInfo({ ...deps, logger }, {}, { actor: 'renewal-scheduler' });
    if (ari.polled > 0) logger.info('ari poll', { polled: ari.polled, answered: ari.answered, failed: ari.failed });
    const report = await runRenewals(deps, {}, { actor: 'renewal-scheduler' });
    if (report.considered > 0) {
      logger.info('renewal run', { considered: report.considered, renewed: report.renewed, failed: report.failed, skipped: report.skipped });
    }
  }, { name: 'renewal run', logger, ...schedule });
}
