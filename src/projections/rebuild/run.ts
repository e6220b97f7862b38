import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { DEFAULT_PRIME_OPTIONS, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import type { Projection } from '../projection.js';
import { PRIME_NAME, rebuildPrime, type PrimeRebuildResult } from './prime-rebuild.js';
import { rebuildBeside, type RebuildProgress, type RebuildResult } from './rebuild-beside.js';
import { RebuildRunningError, rebuildsInProcess, runningRebuilds } from './rebuild-lock.js';

export type RebuildDeps = {
  db: Kysely<Database>;
  store: EventStore;
  vault: KeyVault;
  projections: readonly Projection[];
  /** Absent: no Redis prime to rebuild. */
  redis?: Redis;
  redisPrime?: PrimeOptions;
};

export type RebuildOutcome = ({ kind: 'sql' } & RebuildResult) | ({ kind: 'redis' } & PrimeRebuildResult);

/** What a rebuild reports while it runs: a SQL projection's position, or the prime's domains. */
export type RebuildTick = { name: string; done: number; total: number };

/** Every rebuildable name, in the order `all` runs them: the prime reads the catalog, so it comes last. */
export const rebuildableNames = (deps: Pick<RebuildDeps, 'projections' | 'redis'>): string[] => [
  ...deps.projections.map((p) => p.name),
  ...(deps.redis ? [PRIME_NAME] : []),
];

/** `all` or one name → the names to rebuild; an unknown name is a NotFoundError (404). */
export function resolveRebuild(deps: Pick<RebuildDeps, 'projections' | 'redis'>, name: string): string[] {
  const names = rebuildableNames(deps);
  if (name === 'all') return names;
  if (names.includes(name)) return [name];
  if (name === PRIME_NAME) throw new NotFoundError(`projection ${PRIME_NAME} is not running here: redis is not enabled (set REDIS_URL)`);
  throw new NotFoundError(`unknown projection ${name} (known: ${names.join(', ')})`);
}

/**
 * Rebuilds each named projection beside its live tables and swaps it in (the Redis prime: a full
 * prime and a sweep), one after the other. Refuses (409) before starting when any of them is
 * already being rebuilt, here or in another process.
 */
export async function runRebuilds(deps: RebuildDeps, names: readonly string[], onTick?: (tick: RebuildTick) => void): Promise<RebuildOutcome[]> {
  const busy = new Set([...rebuildsInProcess(), ...(await runningRebuilds(deps.db)).map((r) => r.name)]);
  const clash = names.find((name) => busy.has(name));
  if (clash) throw new RebuildRunningError(clash);
  const outcomes: RebuildOutcome[] = [];
  for (const name of names) {
    if (name === PRIME_NAME) {
      if (!deps.redis) throw new NotFoundError(`projection ${PRIME_NAME}: redis is not enabled (set REDIS_URL)`);
      const result = await rebuildPrime(
        { db: deps.db, vault: deps.vault, store: deps.store, redis: deps.redis, options: deps.redisPrime ?? DEFAULT_PRIME_OPTIONS },
        { onProgress: (done, total) => onTick?.({ name, done, total }) },
      );
      outcomes.push({ kind: 'redis', ...result });
      continue;
    }
    const projection = deps.projections.find((p) => p.name === name);
    if (!projection) throw new NotFoundError(`unknown projection ${name}`);
    const result = await rebuildBeside(deps, projection, {
      onProgress: (p: RebuildProgress) => onTick?.({ name, done: Number(p.position), total: Number(p.head) }),
    });
    outcomes.push({ kind: 'sql', ...result });
  }
  return outcomes;
}
