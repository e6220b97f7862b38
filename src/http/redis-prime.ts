import { randomUUID } from 'node:crypto';
import type { RedisPrimeWritten } from '../domain/redis-prime/events.js';
import { redisPrimeStreams } from '../domain/shared/ids.js';
import { UnavailableError } from '../domain/shared/errors.js';
import type { CommandContext } from '../commands/handle.js';
import { DEFAULT_PRIME_OPTIONS } from '../infra/redis/prime-commands.js';
import { fullPrime, type FullPrimeResult } from '../projections/redis-prime/full-prime.js';
import type { AppDeps } from './app-deps.js';

export class RedisNotEnabledError extends UnavailableError {
  constructor() {
    super('redis is not enabled (set REDIS_URL)');
  }
}

export type RecordedPrime = FullPrimeResult & { eventId: string };

/**
 * The full prime behind the routes and the CLI: every domain of the catalog, pipelined page by
 * page, then recorded as a RedisPrimeWritten event (peter_sslers' operations event, with its id).
 */
export async function runFullPrime(deps: AppDeps, context: CommandContext, onProgress?: (done: number) => void): Promise<RecordedPrime> {
  if (!deps.redis) throw new RedisNotEnabledError();
  const options = deps.redisPrime ?? DEFAULT_PRIME_OPTIONS;
  const result = await fullPrime({ db: deps.db, vault: deps.vault, redis: deps.redis, options }, { onProgress });
  const data: RedisPrimeWritten['data'] = {
    domains: result.domains,
    certificates: result.certificates,
    removed: result.removed,
    styles: [...options.styles],
    elapsedMs: result.elapsedMs,
    primedAt: deps.now().toISOString(),
  };
  const eventId = randomUUID();
  await deps.store.append(
    redisPrimeStreams.redisPrime(),
    [{ id: eventId, type: 'RedisPrimeWritten', data, metadata: { schemaVersion: 1, ...context } }],
    { expectedRevision: 'any' },
  );
  return { ...result, eventId };
}
