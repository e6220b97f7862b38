import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { AppDeps } from '../../http/app-deps.js';
import type { EventItem } from '../../http/queries/audit.js';
import type { Config } from '../../infra/config.js';
import { CliError, progress, report, withStores, type GlobalOptions } from '../context.js';

const whole = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number ≥ 1');
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

type TailOptions = { stream?: string[]; type?: string[]; follow?: boolean; lines: number };
type TransferOptions = { passphraseFile?: string; rebuild?: boolean };

/** `events tail`, `history domain|order`, `export`, `import-events`: the audit and the site move (issue 7). */
export function registerEventsCommands(program: Command, globals: () => GlobalOptions): void {
  const events = program.command('events').description('the event log (the only source of truth)');
  events
    .command('tail')
    .description('print the last events (position time type stream summary), then new ones with --follow until Ctrl-C')
    .option('--stream <name>', 'only this stream (repeatable)', collect)
    .option('--type <type>', 'only this event type (repeatable)', collect)
    .option('-n, --lines <n>', 'how many past events to print', whole, 20)
    .option('-f, --follow', 'keep printing events as they are appended')
    .action(async (values: TailOptions) => {
      const options = globals();
      await withStores(options, async (deps) => tail(deps, options, values));
    });

  const history = program.command('history').description('every event that touched a domain or an ACME order, oldest first');
  const printHistory = (kind: 'domain' | 'order') => async (key: string) => {
    const options = globals();
    const { domainHistoryParams, orderHistoryParams } = await import('../../http/schemas/events.schema.js');
    const parsed = kind === 'domain' ? domainHistoryParams.safeParse({ domain: key }) : orderHistoryParams.safeParse({ id: key });
    if (!parsed.success) throw new CliError(`${kind === 'domain' ? 'domain' : 'order id'} ${JSON.stringify(key)}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
    const ref = 'domain' in parsed.data ? parsed.data.domain : parsed.data.id;
    await withStores(options, async (deps, config) => {
      const { history: historyPage } = await import('../../http/queries/audit.js');
      await auditCurrent(deps, config);
      const items: EventItem[] = [];
      let after: bigint | undefined;
      for (;;) {
        const page = await historyPage(deps, kind, ref, after, 500);
        items.push(...page.items);
        if (page.next_after === null) break;
        after = BigInt(page.next_after);
      }
      if (items.length === 0) throw new CliError(`no event touched ${kind === 'domain' ? 'the domain' : 'the ACME order'} ${ref}`);
      report(options, { [kind === 'domain' ? 'domain_name' : 'order_id']: ref, items }, () => items.map(lineOf));
    });
  };
  history.command('domain <name>').description('imports, orders, challenges, ACME exchanges, marks, nginx expiries of one domain').action(printHistory('domain'));
  history.command('order <id>').description('every event of one ACME order, its certificate and its renewal').action(printHistory('order'));

  program
    .command('export <file>')
    .description('write the whole event log and the key vault (keys re-encrypted under a passphrase) as JSON lines; gzip when <file> ends in .gz')
    .option('--passphrase-file <file>', 'the passphrase (first line); or set CERTLEDGER_EXPORT_PASSPHRASE')
    .action(async (file: string, values: TransferOptions) => {
      const options = globals();
      const passphrase = await passphraseOf(values);
      const { exportEventLog } = await import('../../commands/event-log/export.js');
      const result = await withStores(options, async (deps) => {
        const bar = lazyBar(options, 'exporting');
        try {
          return await exportEventLog(deps, { file, passphrase, onProgress: bar.update });
        } catch (error) {
          throw asCliError(error);
        } finally {
          bar.stop();
        }
      });
      report(options, result, () => [
        `exported ${result.events} events and ${result.keys} keys (${result.shreddedKeys} shredded) to ${file} in ${result.elapsedMs} ms (${result.eventsPerSecond} events/s)`,
      ]);
    });

  program
    .command('import-events <file>')
    .description('replay an export into an EMPTY event store (keys re-wrapped under this master key), then bring the read models up to date')
    .option('--passphrase-file <file>', 'the passphrase (first line); or set CERTLEDGER_EXPORT_PASSPHRASE')
    .option('--rebuild', 'rebuild every projection from position 0 after the import instead of letting them catch up')
    .action(async (file: string, values: TransferOptions) => {
      const options = globals();
      const passphrase = await passphraseOf(values);
      const { importEventLog } = await import('../../commands/event-log/import.js');
      const result = await withStores(options, async (deps, config) => {
        const bar = lazyBar(options, 'importing');
        let imported;
        try {
          imported = await importEventLog(deps, { file, passphrase, onProgress: bar.update });
        } catch (error) {
          throw asCliError(error);
        } finally {
          bar.stop();
        }
        const started = performance.now();
        await projectAll(deps, config, values.rebuild === true);
        return { ...imported, projections: values.rebuild ? 'rebuilt' : 'caught up', projectionMs: Math.round(performance.now() - started) };
        // Projecting between appends would slow the import (PGlite runs both on one thread): project once, after it.
      }, { project: false });
      report(options, result, () => [
        `imported ${result.events} events and ${result.keys} keys (${result.shreddedKeys} shredded) in ${result.elapsedMs} ms (${result.eventsPerSecond} events/s); read models ${result.projections} in ${result.projectionMs} ms`,
        'the Redis prime is not part of the export: run `certledger redis prime` when REDIS_URL is set',
      ]);
    });
}

async function tail(deps: AppDeps, options: GlobalOptions, values: TailOptions): Promise<void> {
  const { toItem } = await import('../../http/queries/audit.js');
  const streams = values.stream?.length ? new Set(values.stream) : undefined;
  const types = values.type?.length ? values.type : undefined;
  const wanted = (e: { streamName: string }) => !streams || streams.has(e.streamName);
  const print = (item: EventItem) => process.stdout.write(`${options.json ? JSON.stringify(item) : lineOf(item)}\n`);

  // The last N matching events: a window kept while reading forward (one pass, constant memory).
  const head = await deps.store.headPosition();
  const window: EventItem[] = [];
  let after = 0n;
  while (after < head) {
    const page = await deps.store.readAll({ after, maxCount: 500, eventTypes: types });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > head || !wanted(event)) continue;
      window.push(toItem(event));
      if (window.length > values.lines) window.shift();
    }
    after = page.at(-1)!.position;
  }
  window.forEach(print);
  if (!values.follow) return;

  const subscription = deps.store.subscribeToAll({ after: head, eventTypes: types });
  const stop = () => void subscription.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const event of subscription) if (wanted(event)) print(toItem(event));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `position time type stream summary`: one line per event, the summary from a few well-known fields. */
function lineOf(item: EventItem): string {
  return `${item.position} ${item.created_at} ${item.type} ${item.stream} ${summaryOf(item)}`.trimEnd();
}

const SUMMARY_FIELDS = ['domainName', 'domainNames', 'identifiers', 'certificateId', 'orderId', 'status', 'step', 'reason', 'cause', 'actor', 'message'];

function summaryOf({ type, data }: EventItem): string {
  if (type === 'AcmeExchangeRecorded') return `${String(data.method)} ${String(data.url)} -> ${data.status === null ? String((data.error as { kind?: string })?.kind ?? 'no answer') : String(data.status)}`;
  const parts: string[] = [];
  for (const field of SUMMARY_FIELDS) {
    let value = data[field];
    if (value === undefined || value === null) continue;
    if (field === 'identifiers' && Array.isArray(value)) value = value.map((i) => (i as { value?: unknown }).value);
    parts.push(`${field}=${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  const text = parts.join(' ');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** The audit index current up to the head: this process projects it when no projector role runs here. */
async function auditCurrent(deps: AppDeps, config: Config): Promise<void> {
  const { auditProjection } = await import('../../projections/audit.projection.js');
  await runProjections(deps, config.roles.includes('projector') ? undefined : [auditProjection], false);
}

async function projectAll(deps: AppDeps, config: Config, rebuild: boolean): Promise<void> {
  const { catalogProjections } = await import('../../projections/index.js');
  await runProjections(deps, config.roles.includes('projector') && !rebuild ? undefined : catalogProjections, rebuild);
}

/**
 * Runners of our own, stopped at the head. Safe beside a server's projector: checkpoints are
 * compare-and-set, so each batch is applied once by whichever runner commits it.
 */
async function runProjections(deps: AppDeps, projections: Awaited<typeof import('../../projections/index.js')>['catalogProjections'] | undefined, rebuild: boolean): Promise<void> {
  const head = await deps.store.headPosition();
  if (!projections) {
    await deps.projections.waitFor(head, { timeoutMs: 600_000 });
    return;
  }
  const [{ createProjectionSet }, { createLogger }] = await Promise.all([import('../../projections/index.js'), import('../../infra/logger.js')]);
  const set = createProjectionSet({ store: deps.store, db: deps.db, projections, logger: createLogger('warn') });
  try {
    if (rebuild) for (const { name } of projections) await set.rebuild(name);
    set.start();
    await set.waitFor(head, { timeoutMs: 600_000 });
  } finally {
    await set.stop();
  }
}

async function passphraseOf(values: TransferOptions): Promise<string> {
  let text: string | undefined;
  if (values.passphraseFile) {
    try {
      text = (await readFile(values.passphraseFile, 'utf8')).split(/\r?\n/)[0];
    } catch (error) {
      throw new CliError(`cannot read the passphrase file ${values.passphraseFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  } else {
    text = process.env.CERTLEDGER_EXPORT_PASSPHRASE;
  }
  const { checkPassphrase } = await import('../../commands/event-log/import.js');
  try {
    return checkPassphrase(text);
  } catch (error) {
    throw asCliError(error);
  }
}

function asCliError(error: unknown): unknown {
  const named = ['ImportError', 'ExportError', 'WrongPassphraseError'];
  return error instanceof Error && named.includes(error.name) ? new CliError(error.message) : error;
}

/** The bar starts once the total is known (the first progress report). */
function lazyBar(options: GlobalOptions, label: string) {
  let bar: ReturnType<typeof progress> | undefined;
  return {
    update: (done: number, total: number) => {
      bar ??= progress(options, label, total);
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
