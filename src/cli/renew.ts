/**
 * `npm run renew`: one renewal run, then exit (for cron). Options:
 *   --batch-size N   configurations per batch (default 20)
 *   --concurrency N  attempts at a time (default 4)
 *   --max N          configurations per run (default 1000)
 *   --queue update|process|loop   work the renewal queue instead of a run
 * Exit code 0 when nothing failed, 2 when an attempt failed. With PGlite the data folder is
 * locked by a running server: stop it, or use PostgreSQL (then run this with
 * CERTLEDGER_ROLES=admin so the server's projector stays the only one).
 */
import { parseArgs } from 'node:util';
import { processRenewalQueue, processRenewalQueueLoop, updateRenewalQueue } from '../commands/renewal/queue.js';
import { pollDueRenewalInfo } from '../commands/renewal/ari/poll-due.js';
import { runRenewals } from '../commands/renewal/run.js';
import { orderDepsOf } from '../http/acme-order-answers.js';
import { appDepsFrom } from '../http/app-factory.js';
import { loadConfig } from '../infra/config.js';
import { createRuntime } from '../infra/container.js';
import { createLogger } from '../infra/logger.js';

const positive = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number ≥ 1`);
  return n;
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'batch-size': { type: 'string' }, concurrency: { type: 'string' }, max: { type: 'string' }, queue: { type: 'string' } },
    strict: true,
  });
  if (values.queue !== undefined && !['update', 'process', 'loop'].includes(values.queue)) throw new Error('--queue takes update, process or loop');
  // The renewal run is this process's job; a scheduler here would race it for nothing.
  const config = { ...loadConfig(), renewalScheduler: false };
  const logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger);
  try {
    const deps = orderDepsOf(appDepsFrom(runtime.container));
    const context = { actor: 'cli' };
    const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    if (values.queue === 'update') {
      print(await updateRenewalQueue(deps, { max: positive(values.max, 'max') }, context));
      return 0;
    }
    if (values.queue === 'process') {
      const result = await processRenewalQueue(deps, context);
      print(result);
      return result.processed?.claimed && !result.processed.ok ? 2 : 0;
    }
    if (values.queue === 'loop') {
      const outcomes = await processRenewalQueueLoop(deps, { max: positive(values.max, 'max') }, context);
      print(outcomes);
      return outcomes.some((o) => o.claimed && !o.ok) ? 2 : 0;
    }
    const ari = await pollDueRenewalInfo({ ...deps, logger }, {}, context);
    const report = await runRenewals(deps, {
      batchSize: positive(values['batch-size'], 'batch-size'),
      concurrency: positive(values.concurrency, 'concurrency'),
      maxConfigurations: positive(values.max, 'max'),
    }, context);
    print({ ari, considered: report.considered, renewed: report.renewed, failed: report.failed, skipped: report.skipped, outcomes: report.outcomes });
    return report.failed > 0 ? 2 : 0;
  } finally {
    await runtime.close();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`renew failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
