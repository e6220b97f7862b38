import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { DEFAULT_PRIME_OPTIONS, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import type { Projection } from '../projection.js';
import { PRIME_NAME, rebuildPrime, type PrimeRebuildResult } from './prime-rebuild.js';
import { rebuildTogether, type RebuildProgress, type RebuildResult } from './rebuild-beside.js';
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
 * prime and a sweep, after the SQL projections, which share one read of the log). Refuses (409) before starting when any of them is
 * already being rebuilt, here or in another process.
 */
export async function runRebuilds(deps: RebuildDeps, names: readonly string[], onTick?: (tick: RebuildTick) => void): Promise<RebuildOutcome[]> {
  const busy = new Set([...rebuildsInProcess(), ...(await runningRebuilds(deps.db)).map((r) => r.name)]);
  const clash = names.find((name) => busy.has(name));
  if (clash) throw new RebuildRunningError(clash);
  const outcomes: RebuildOutcome[] = [];
  // Consecutive SQL projections are rebuilt together: one read of the log for all of them.
  for (let at = 0; at < names.length;) {
    const name = names[at] as string;
    if (name === PRIME_NAME) {
      if (!deps.redis) throw new NotFoundError(`projection ${PRIME_NAME}: redis is not enabled (set REDIS_URL)`);
      const result = await rebuildPrime(
        { db: deps.db, vault: deps.vault, store: deps.store, redis: deps.redis, options: deps.redisPrime ?? DEFAULT_PRIME_OPTIONS },
        { onProgress: (done, total) => onTick?.({ name, done, total }) },
      );
      outcomes.push({ kind: 'redis', ...result });
      at += 1;
      continue;
    }
    const group: Projection[] = [];
    for (; at < names.length && names[at] !== PRIME_NAME; at += 1) {
      const projection = deps.projections.find((p) => p.name === names[at]);
      if (!projection) throw new NotFoundError(`unknown projection ${names[at]}`);
      group.push(projection);
    }
    // One read for the group: one progress (each projection reports the same position).
    const label = group.map((p) => p.name).join(', ');
    const results = await rebuildTogether(deps, group, {
      onProgress: (p: RebuildProgress) => onTick?.({ name: label, done: Number(p.position), total: Number(p.head) }),
    });
    outcomes.push(...results.map((result) => ({ kind: 'sql' as const, ...result })));
  }
  return outcomes;
}
