/**
 * The ARI poll schedule: certificates from ACME orders, still active, on a server whose directory
 * offers renewalInfo, never polled or whose next poll has come — oldest first, a batch at a time.
 * Spread comes from the next poll times the decider draws (schedule.ts), not from this query.
 */
import { sql } from 'kysely';
import type { CommandContext } from '../../handle.js';
import type { AriDeps } from './deps.js';
import { pollRenewalInfo, type AriTarget } from './poll-renewal-info.js';

export async function dueForAriPoll(deps: Pick<AriDeps, 'db'>, now: Date, limit: number): Promise<AriTarget[]> {
  const rows = await deps.db.selectFrom('certificates')
    .innerJoin('acme_orders', 'acme_orders.certificate_id', 'certificates.id')
    .innerJoin('acme_servers', 'acme_servers.id', 'acme_orders.acme_server_id')
    .leftJoin('ari_renewal_info', 'ari_renewal_info.certificate_id', 'certificates.id')
    .select(['certificates.id', 'certificates.pem', 'acme_orders.acme_server_id'])
    .where('certificates.is_active', '=', true)
    .where('certificates.not_after', '>', now)
    .where(sql<boolean>`acme_servers.directory ? 'renewalInfo'`)
    .where((eb) => eb.or([eb('ari_renewal_info.next_poll_at', 'is', null), eb('ari_renewal_info.next_poll_at', '<=', now)]))
    .orderBy(sql`ari_renewal_info.next_poll_at nulls first`)
    .limit(limit)
    .execute();
  return rows.map((row) => ({ certificateId: row.id, acmeServerId: row.acme_server_id, pem: row.pem }));
}

export type AriPollReport = { polled: number; answered: number; failed: number };

/** One pass: at most `limit` certificates, `concurrency` at a time; a failure never stops the pass. */
export async function pollDueRenewalInfo(deps: AriDeps, options: { limit?: number; concurrency?: number } = {}, context: CommandContext = {}): Promise<AriPollReport> {
  const targets = await dueForAriPoll(deps, deps.now(), options.limit ?? 100);
  const report: AriPollReport = { polled: 0, answered: 0, failed: 0 };
  const queue = [...targets];
  const worker = async () => {
    for (let target = queue.shift(); target; target = queue.shift()) {
      report.polled += 1;
      try {
        const outcome = await pollRenewalInfo(deps, target, context);
        if (outcome.ok) report.answered += 1;
        else report.failed += 1;
      } catch (error) {
        report.failed += 1;
        deps.logger.warn('ari poll failed', { certificateId: target.certificateId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return report;
}
