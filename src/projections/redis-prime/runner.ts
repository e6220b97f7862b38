import type { Redis } from 'ioredis';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { checkResults, definePrimeCommands, queueDomains, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import type { Logger } from '../../infra/logger.js';
import { affectedBy, affectedDomainNames, isEmpty } from './affected.js';
import { PRIME_CHECKPOINT_KEY, readPrimeCheckpoint } from './checkpoint.js';
import { servedCertificates, type ServedDeps } from './served.js';
import { createFollowerLoop } from '../follower-loop.js';

export type PrimeRunnerSettings = {
  batchSize: number;
  /** Domains per MULTI when a batch rewrites many (a chain policy change rewrites all). */
  chunkSize: number;
  pollIntervalMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  catalogTimeoutMs: number;
};

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

export type PrimeRunner = {
  start: () => void;
  stop: () => Promise<void>;
  nudge: () => void;
  status: () => PrimeRunnerStatus;
  /** Resolves once the prime has committed up to `position` (rejects after timeoutMs). */
  waitFor: (position: bigint, timeoutMs: number) => Promise<void>;
};

const defaults: PrimeRunnerSettings = { batchSize: 500, chunkSize: 2_000, pollIntervalMs: 1_000, retryInitialMs: 250, retryMaxMs: 30_000, catalogTimeoutMs: 60_000 };

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
  const waiters = new Set<{ position: bigint; resolve: () => void }>();
  const advanced = (to: bigint): void => {
    for (const waiter of waiters) if (waiter.position <= to) waiter.resolve();
  };
  const waitFor = (target: bigint, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (position !== undefined && position >= target) return resolve();
      const waiter = {
        position: target,
        resolve: () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const lastError = follower.lastError();
        reject(new Error(`redis prime did not reach position ${target} within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`));
      }, timeoutMs);
      waiters.add(waiter);
      follower.nudge();
    });

  /**
   * A batch's domains go in chunks (a chain policy change rewrites every domain; one MULTI of
   * 100,000 would hold Redis and memory): each chunk in its own MULTI guarded by WATCH on the
   * checkpoint, the checkpoint itself in the last. A crash between chunks repeats the batch,
   * and rewriting a domain from the catalog is idempotent.
   */
  const commitBatch = async (expected: bigint, events: readonly RecordedEvent[]): Promise<boolean> => {
    const last = (events.at(-1) as RecordedEvent).position;
    const affected = affectedBy(events);
    let names: string[] = [];
    if (!isEmpty(affected)) {
      await deps.waitForCatalog(last, settings.catalogTimeoutMs);
      names = await affectedDomainNames(deps.db, affected);
    }
    for (let at = 0; ; at += settings.chunkSize) {
      const chunk = names.slice(at, at + settings.chunkSize);
      const final = at + settings.chunkSize >= names.length;
      const served = await servedCertificates(deps, chunk);
      await redis.watch(PRIME_CHECKPOINT_KEY);
      if ((await readPrimeCheckpoint(redis)) !== expected) {
        await redis.unwatch();
        return false;
      }
      const multi = definePrimeCommands(redis).multi();
      queueDomains(multi, served, deps.options);
      if (final) multi.set(PRIME_CHECKPOINT_KEY, last.toString());
      if (!checkResults(await multi.exec(), `batch up to ${last}`)) return false;
      if (final) return true;
    }
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
    if (position === undefined) {
      position = await loadPosition();
      advanced(position);
    }
    const events = await store.readAll({ after: position, maxCount: settings.batchSize });
    if (events.length === 0) return false;
    if (await commitBatch(position, events)) {
      position = (events.at(-1) as RecordedEvent).position;
      advanced(position);
    } else {
      logger.info('redis prime checkpoint moved by another runner; reloading', { projection: 'redis-prime' });
      position = undefined;
    }
    return true;
  };

  const follower = createFollowerLoop({
    store,
    settings,
    logger,
    label: 'redis prime',
    logFields: { projection: 'redis-prime' },
    step,
    // A restart reloads the checkpoint from Redis, as a new process would.
    reset: () => {
      position = undefined;
    },
  });

  return {
    start: follower.start,
    stop: follower.stop,
    nudge: follower.nudge,
    waitFor,
    status: () => follower.status(position),
  };
}
