import type { Command } from 'commander';
import { CliError, progress, report, withStores, type GlobalOptions } from '../context.js';

const cell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));

/** Left-aligned columns, for the text output of list and status. */
function table(header: string[], rows: unknown[][]): string[] {
  const lines = [header, ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] as string).length)));
  return lines.map((l) => l.map((c, i) => (c as string).padEnd(widths[i] as number)).join('  ').trimEnd());
}

async function readStatus(options: GlobalOptions) {
  const [{ catalogProjections }, { projectionStatus }, { statusJson }] = await Promise.all([
    import('../../projections/index.js'),
    import('../../projections/rebuild/status.js'),
    import('../../http/projections-json.js'),
  ]);
  return withStores(options, async (deps) => {
    const live = await deps.projections.status();
    const status = await projectionStatus({
      db: deps.db, store: deps.store, projections: catalogProjections, redis: deps.redis, live, primeLastError: deps.primeStatus?.().lastError,
    });
    return { head_position: status.head.toString(), items: status.items.map(statusJson) };
  });
}

export function registerProjectionCommands(program: Command, globals: () => GlobalOptions): void {
  const projections = program.command('projections').description('the read models built from the event log: where they stand, and rebuilding them');

  projections
    .command('list')
    .description('each projection (and the Redis prime) with its version, position and lag behind the event log')
    .action(async () => {
      const options = globals();
      const status = await readStatus(options);
      report(options, status, () => table(['NAME', 'VERSION', 'POSITION', 'LAG', 'LAST ERROR'], status.items.map((p) => [p.name, p.version, p.position, p.lag, p.last_error])));
    });

  projections
    .command('status')
    .description('list, plus the event log head, the stored version, the last update and any rebuild running (in any process)')
    .action(async () => {
      const options = globals();
      const status = await readStatus(options);
      report(options, status, () => [
        `event log head: ${status.head_position}`,
        ...table(
          ['NAME', 'VERSION', 'STORED', 'POSITION', 'LAG', 'UPDATED', 'REBUILDING SINCE', 'LAST ERROR'],
          status.items.map((p) => [p.name, p.version, p.stored_version, p.position, p.lag, p.updated_at, p.rebuilding_since, p.last_error]),
        ),
      ]);
    });

  projections
    .command('rebuild')
    .description('replay a projection (or --all, the Redis prime last) from position 0 beside its live tables and swap it in; the service keeps serving')
    .argument('[name]', 'the projection to rebuild (see projections list)')
    .option('--all', 'every projection, then the Redis prime when REDIS_URL is set')
    .action(async (name: string | undefined, flags: { all?: boolean }) => {
      const options = globals();
      if (Boolean(name) === Boolean(flags.all)) throw new CliError('name one projection or give --all');
      const [{ catalogProjections }, { resolveRebuild, runRebuilds }, { rebuildsJson }] = await Promise.all([
        import('../../projections/index.js'),
        import('../../projections/rebuild/run.js'),
        import('../../http/projections-json.js'),
      ]);
      const result = await withStores(options, async (deps) => {
        const rebuildDeps = { ...deps, projections: catalogProjections };
        const names = resolveRebuild(rebuildDeps, flags.all ? 'all' : (name as string));
        let bar: { name: string; update: (done: number) => void; stop: () => void } | undefined;
        try {
          const outcomes = await runRebuilds(rebuildDeps, names, (tick) => {
            if (bar?.name !== tick.name) {
              bar?.stop();
              bar = { name: tick.name, ...progress(options, `rebuilding ${tick.name}`, Math.max(tick.total, 1)) };
            }
            bar.update(Math.min(tick.done, Math.max(tick.total, 1)));
          });
          return rebuildsJson(outcomes);
        } finally {
          bar?.stop();
        }
      });
      report(options, result, () => [
        ...result.results.map((r) =>
          r.kind === 'redis'
            ? `rebuilt ${r.name}: ${r.domains} domains (${r.certificates} certificates), removed ${r.removed}, ${r.stale_keys} stale keys deleted, checkpoint ${r.position}, in ${r.elapsed_ms} ms`
            : `rebuilt ${r.name}: ${r.events} events up to position ${r.position} in ${r.elapsed_ms} ms (${r.events_per_second} events/s)`),
        ...(result.results.length > 1 ? [`total: ${result.events} events in ${result.elapsed_ms} ms (${result.events_per_second ?? 0} events/s)`] : []),
      ]);
    });
}
