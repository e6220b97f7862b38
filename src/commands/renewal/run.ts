/**
 * A renewal run: what is due, in small batches, a few at a time. Several instances may run at
 * once: the read model only nominates candidates; each is claimed on its stream with the
 * expected revision (attempt.ts), which re-checks due time and backoff there, so a configuration
 * is renewed by exactly one runner and a lagging read model cannot cause a second order.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { CommandContext } from '../handle.js';
import { attemptSiteAwareRenewal } from '../site/renewed.js';
import { STALE_ATTEMPT_MS, type AttemptOutcome, type AttemptTrigger } from './attempt.js';
import type { RenewalDeps } from './deps.js';

export type RunOptions = { batchSize?: number; concurrency?: number; maxConfigurations?: number; trigger?: AttemptTrigger };

export type RunReport = { considered: number; renewed: number; failed: number; skipped: number; outcomes: AttemptOutcome[] };

const DEFAULTS = { batchSize: 20, concurrency: 4, maxConfigurations: 1000 };

/**
 * Candidates after `afterId`, by id (a stable keyset while rows change under the run): active,
 * auto-renewing, past backoff, not held by a live attempt, and due — by the time chosen in the
 * CA's ARI window when there is one (it wins, as in due.ts), else by lifetime.
 */
export async function dueCandidates(db: Kysely<Database>, now: Date, afterId: string | null, limit: number): Promise<string[]> {
  const staleBefore = new Date(now.getTime() - STALE_ATTEMPT_MS);
  const rows = await sql<{ id: string }>`
    select rc.id from renewal_configurations rc
    left join ari_renewal_info a on a.certificate_id = rc.latest_certificate_id
    where rc.is_active and rc.is_auto_renew
      and (rc.next_attempt_at is null or rc.next_attempt_at <= ${now})
      and (rc.attempt_id is null or rc.attempt_started_at < ${staleBefore})
      and (case when a.chosen_renewal_time is not null then a.chosen_renewal_time <= ${now}
                else rc.renew_at is null or rc.renew_at <= ${now} end)
      and (${afterId}::text is null or rc.id > ${afterId})
    order by rc.id
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export async function runRenewals(deps: RenewalDeps, options: RunOptions = {}, context: CommandContext = {}): Promise<RunReport> {
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  const maxConfigurations = options.maxConfigurations ?? DEFAULTS.maxConfigurations;
  const report: RunReport = { considered: 0, renewed: 0, failed: 0, skipped: 0, outcomes: [] };
  let afterId: string | null = null;
  while (report.considered < maxConfigurations) {
    const batch = await dueCandidates(deps.db, deps.now(), afterId, Math.min(batchSize, maxConfigurations - report.considered));
    if (batch.length === 0) break;
    afterId = batch.at(-1)!;
    const outcomes = await pool(batch, concurrency, async (id): Promise<AttemptOutcome> => {
      try {
        // A site's configuration waits while a deploy operation acts on that site, and the site follows it.
        return await attemptSiteAwareRenewal(deps, id, options.trigger ?? 'run', context);
      } catch (error) {
        // One broken configuration must not stop the run.
        const message = error instanceof Error ? error.message : String(error);
        deps.logger.error('renewal attempt errored', { configurationId: id, message });
        return { configurationId: id, claimed: false, reason: message };
      }
    });
    for (const outcome of outcomes) {
      report.considered += 1;
      if (!outcome.claimed) report.skipped += 1;
      else if (outcome.ok) report.renewed += 1;
      else report.failed += 1;
    }
    report.outcomes.push(...outcomes);
  }
  return report;
}
