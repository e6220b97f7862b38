import { SingleBar } from 'cli-progress';
import type { AppDeps } from '../http/app-deps.js';
import { ConfigError, loadConfig, type Config } from '../infra/config.js';
import type { Runtime } from '../infra/container.js';
import { createLogger } from '../infra/logger.js';

/** Options every subcommand takes. */
export type GlobalOptions = { json?: boolean; verbose?: boolean };

/** A failure the CLI reports as one line with a non-zero exit. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

const stringify = (value: unknown): string => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** `--json`: the value as JSON on stdout; otherwise the text lines. */
export function report(options: GlobalOptions, value: unknown, text: () => string[]): void {
  process.stdout.write(options.json ? `${stringify(value)}\n` : `${text().join('\n')}\n`);
}

/** A progress bar on stderr for interactive runs; silent for --json and when stderr is not a terminal. */
export function progress(options: GlobalOptions, label: string, total: number) {
  if (options.json || !process.stderr.isTTY || total === 0) return { update: (_done: number) => {}, stop: () => {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} {eta_formatted} left`, stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return { update: (done: number) => bar.update(done), stop: () => bar.stop() };
}

/**
 * Opens the configured stores directly, as the server does (no server needed). On PostgreSQL the
 * running server's projector keeps the read models current, so the CLI does not project; on the
 * embedded PGlite folder the CLI is the only process (the folder is locked) and projects itself.
 */
export async function withStores<T>(
  options: GlobalOptions,
  work: (deps: AppDeps, config: Config) => Promise<T>,
  /** `project: false`: never project while working (bulk appends project once, afterwards, by themselves). */
  settings: { project?: boolean } = {},
): Promise<T> {
  let loaded: Config;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`invalid configuration: ${error.problems.join('; ')}`);
    throw error;
  }
  const config: Config = {
    ...loaded,
    renewalScheduler: false,
    roles: loaded.databaseUrl || settings.project === false ? ['admin'] : ['admin', 'projector'],
  };
  const logger = createLogger(options.verbose ? 'info' : 'warn');
  // Loaded here, not at the top: `--help` stays instant.
  const [{ createRuntime }, { appDepsFrom }] = await Promise.all([import('../infra/container.js'), import('../http/app-factory.js')]);
  let runtime: Runtime;
  try {
    runtime = await createRuntime(config, logger);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message.split('\n').join(' ') : String(error));
  }
  try {
    return await work(appDepsFrom(runtime.container), config);
  } finally {
    await runtime.close();
  }
}

/** Read models current up to the event log's head (the prime and nginx read them). */
export async function catchUp(deps: AppDeps, timeoutMs = 120_000): Promise<void> {
  const head = await deps.store.headPosition();
  try {
    await deps.projections.waitFor(head, { timeoutMs });
  } catch {
    throw new CliError(`read models did not reach the event log head (${head}) within ${timeoutMs / 1000} s: is a projector running?`);
  }
}
