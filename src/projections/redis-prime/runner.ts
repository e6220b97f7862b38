import type { Redis } from 'ioredis';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { checkResults, queueDomain, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import type { Logger } from '../../infra/logger.js';
import { affectedBy, affectedDomainNames, isEmpty } from './affected.js';
import { PRIME_CHECKPOINT_KEY, readPrimeCheckpoint } from './checkpoint.js';
import { servedCertificate, type ServedDeps } from './served.js';
import { createWakeSignal } from '../wake-signal.js';

export type PrimeRunnerSettings = { batchSize: number; pollIntervalMs: number; retryInitialMs: number; retryMaxMs: number; catalogTimeoutMs: number };

export type PrimeRunnerDeps = ServedDeps & {
  store: EventStore;
  /** A connection of its own: WATCH is per connection, and nothing else may EXEC on it meanwhile. */
  redis: Redis;
  /** Resolves once the catalog projection's checkpoint is ≥ position (the prime reads the catalog). */
  waitForCatalog: (position: bigint, timeoutMs: number) => Promise<void>;
  options: PrimeOptions;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  settings?: Partial<PrimeRunnerSettings>;
};

export type PrimeRunnerStatus = { position: bigint | undefined; lastError?: string };

export type PrimeRunner = { start: () => void; stop: () => Promise<void>; nudge: () => void; status: () => PrimeRunnerStatus };

const defaults: PrimeRunnerSettings = { batchSize: 500, pollIntervalMs: 1_000, retryInitialMs: 250, retryMaxMs: 30_000, catalogTimeoutMs: 60_000 };

/**
 * The Redis prime as a projection whose checkpoint lives in Redis: each batch's keys and the new
 * checkpoint go in ONE MULTI, guarded by WATCH on the checkpoint (a second runner, or a restart
 * racing an old one, aborts instead of writing twice). Redis away → retry with backoff; the
 * service keeps serving from PostgreSQL and the prime catches up from its checkpoint.
 */
export function createPrimeRunner(deps: PrimeRunnerDeps): PrimeRunner {
  const settings = { ...defaults, ...deps.settings };
  const { redis, store, logger } = deps;
  let position: bigint | undefined;
  let lastError: string | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;

  const signal = createWakeSignal(() => running);
  const sleep = signal.sleep;

  const commitBatch = async (expected: bigint, events: readonly RecordedEvent[]): Promise<boolean> => {
    const last = (events.at(-1) as RecordedEvent).position;
    const affected = affectedBy(events);
    const writes: [string, Awaited<ReturnType<typeof servedCertificate>>][] = [];
    if (!isEmpty(affected)) {
      await deps.waitForCatalog(last, settings.catalogTimeoutMs);
      for (const name of await affectedDomainNames(deps.db, affected)) writes.push([name, await servedCertificate(deps, name)]);
    }
    await redis.watch(PRIME_CHECKPOINT_KEY);
    if ((await readPrimeCheckpoint(redis)) !== expected) {
      await redis.unwatch();
      return false;
    }
    const multi = redis.multi();
    for (const [name, cert] of writes) queueDomain(multi, name, cert, deps.options);
    multi.set(PRIME_CHECKPOINT_KEY, last.toString());
    return checkResults(await multi.exec(), `batch up to ${last}`);
  };

  /** A checkpoint past the head means the event log was replaced (a new install on an old Redis): start over. */
  const loadPosition = async (): Promise<bigint> => {
    const stored = await readPrimeCheckpoint(redis);
    const head = await store.headPosition();
    if (stored <= head) return stored;
    logger.warn('redis prime checkpoint is past the event log head; priming again from 0', { projection: 'redis-prime', checkpoint: stored.toString(), head: head.toString() });
    await redis.set(PRIME_CHECKPOINT_KEY, '0');
    return 0n;
  };

  /** One batch; false when there was nothing to read. */
  const step = async (): Promise<boolean> => {
    position ??= await loadPosition();
    signal.clear();
    const events = await store.readAll({ after: position, maxCount: settings.batchSize });
    if (events.length === 0) return false;
    if (await commitBatch(position, events)) position = (events.at(-1) as RecordedEvent).position;
    else {
      logger.info('redis prime checkpoint moved by another runner; reloading', { projection: 'redis-prime' });
      position = undefined;
    }
    return true;
  };

  const nudge = (): void => {
    signal.nudge();
  };

  const run = async (): Promise<void> => {
    let backoff = settings.retryInitialMs;
    while (running) {
      try {
        const progressed = await step();
        lastError = undefined;
        backoff = settings.retryInitialMs;
        if (!progressed) await sleep(settings.pollIntervalMs, true);
      } catch (error) {
        position = undefined;
        lastError = error instanceof Error ? error.message : String(error);
        logger.error('redis prime stopped on error; retrying', { projection: 'redis-prime', error: lastError, retryInMs: backoff });
        await sleep(backoff, false);
        backoff = Math.min(backoff * 2, settings.retryMaxMs);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = store.onAppended(nudge);
      loop = run();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = undefined;
      signal.interrupt();
      await loop;
      loop = undefined;
      // A start after a stop reloads the checkpoint from Redis, as a new process would.
      position = undefined;
    },
    nudge,
    status: () => ({ position, ...(lastError === undefined ? {} : { lastError }) }),
  };
}
