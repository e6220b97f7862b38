import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../../infra/logger.js';
import { report, withStores, type GlobalOptions } from '../context.js';

const whole = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number ≥ 1');
  return n;
};

type RenewOptions = { batchSize?: number; concurrency?: number; max?: number; queue?: 'update' | 'process' | 'loop' };

/**
 * One renewal run, then exit (for cron). Exit 0 when nothing failed, 2 when an attempt failed.
 * On PGlite the data folder is locked by a running server: stop it, or use PostgreSQL.
 */
export function renewCommand(program: Command, globals: () => GlobalOptions, setExitCode: (code: number) => void): void {
  program
    .command('renew')
    .description('renew what is due now (ARI first), or work the renewal queue; exit 2 when an attempt failed')
    .option('--batch-size <n>', 'configurations per batch (default 20)', whole)
    .option('--concurrency <n>', 'attempts at a time (default 4)', whole)
    .option('--max <n>', 'configurations per run (default 1000)', whole)
    .option('--queue <step>', 'work the renewal queue instead of a run: update, process or loop', (value: string) => {
      if (!['update', 'process', 'loop'].includes(value)) throw new InvalidArgumentError('takes update, process or loop');
      return value;
    })
    .action(async (values: RenewOptions) => {
      const options = globals();
      const [{ pollDueRenewalInfo }, { processRenewalQueue, processRenewalQueueLoop, updateRenewalQueue }, { runRenewals }, { orderDepsOf }] = await Promise.all([
        import('../../commands/renewal/ari/poll-due.js'),
        import('../../commands/renewal/queue.js'),
        import('../../commands/renewal/run.js'),
        import('../../http/acme-order-answers.js'),
      ]);
      await withStores(options, async (appDeps) => {
        const deps = orderDepsOf(appDeps);
        const context = { actor: 'cli' };
        if (values.queue === 'update') {
          const result = await updateRenewalQueue(deps, { max: values.max }, context);
          report(options, result, () => [JSON.stringify(result)]);
          return;
        }
        if (values.queue === 'process') {
          const result = await processRenewalQueue(deps, context);
          report(options, result, () => [JSON.stringify(result)]);
          if (result.processed?.claimed && !result.processed.ok) setExitCode(2);
          return;
        }
        if (values.queue === 'loop') {
          const outcomes = await processRenewalQueueLoop(deps, { max: values.max }, context);
          report(options, outcomes, () => [`processed ${outcomes.length} queue items, ${outcomes.filter((o) => o.claimed && !o.ok).length} failed`]);
          if (outcomes.some((o) => o.claimed && !o.ok)) setExitCode(2);
          return;
        }
        const ari = await pollDueRenewalInfo({ ...deps, logger: createLogger(options.verbose ? 'info' : 'warn') }, {}, context);
        const run = await runRenewals(deps, { batchSize: values.batchSize, concurrency: values.concurrency, maxConfigurations: values.max }, context);
        const result = { ari, considered: run.considered, renewed: run.renewed, failed: run.failed, skipped: run.skipped, outcomes: run.outcomes };
        report(options, result, () => [`considered ${run.considered}, renewed ${run.renewed}, failed ${run.failed}, skipped ${run.skipped}`]);
        if (run.failed > 0) setExitCode(2);
      });
    });
}
