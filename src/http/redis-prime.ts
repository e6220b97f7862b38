import { UnavailableError } from '../domain/shared/errors.js';
import { DEFAULT_PRIME_OPTIONS } from '../infra/redis/prime-commands.js';
import { fullPrime, type FullPrimeResult } from '../projections/redis-prime/full-prime.js';
import type { AppDeps } from './app-deps.js';

export class RedisNotEnabledError extends UnavailableError {
  constructor() {
    super('redis is not enabled (set REDIS_URL)');
  }
}

/** The full prime behind both routes: every domain of the catalog, pipelined page by page. */
export async function runFullPrime(deps: AppDeps): Promise<FullPrimeResult> {
  if (!deps.redis) throw new RedisNotEnabledError();
  return fullPrime({ db: deps.db, vault: deps.vault, redis: deps.redis, options: deps.redisPrime ?? DEFAULT_PRIME_OPTIONS });
}
