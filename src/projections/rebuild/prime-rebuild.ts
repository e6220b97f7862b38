import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { PrimeOptions } from '../../infra/redis/prime-commands.js';
import { PRIME_CHECKPOINT_KEY } from '../redis-prime/checkpoint.js';
import { fullPrime } from '../redis-prime/full-prime.js';
import type { ServedDeps } from '../redis-prime/served.js';
import { claimRebuild } from './rebuild-lock.js';

export const PRIME_NAME = 'redis-prime';

export type PrimeRebuildResult = {
  name: typeof PRIME_NAME;
  /** The prime's checkpoint after the rebuild: the catalog position it was written from. */
  position: bigint;
  /** Domains written, and catalog domains serving nothing (their d1:/d2: deleted). */
  domains: number;
  certificates: number;
  removed: number;
  /** Keys no domain refers to any more (c:/p:/i: of certificates nobody serves, d1:/d2: of unknown names), deleted. */
  staleKeys: number;
  elapsedMs: number;
  domainsPerSecond: number;
};

const PRIME_KEY = /^(d1|d2|c|p|i):(.*)$/s;
const MAX_SWEEPS = 20;

/** Polls the checkpoint table, so it works beside a projector in this process or in another one. */
export async function waitForCheckpoint(db: Kysely<Database>, name: string, position: bigint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.selectFrom('projection_checkpoints').select('position').where('name', '=', name).executeTakeFirst();
    if (row && row.position >= position) return;
    if (Date.now() > deadline) throw new Error(`projection ${name} did not reach position ${position} within ${timeoutMs / 1000} s: is a projector running?`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scanPrimeKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) if (PRIME_KEY.test(key)) keys.push(key);
  } while (cursor !== '0');
  return keys;
}

/** The keys a prime written from scratch would not hold: what the d1: hashes do not name, and domains the catalog lacks. */
async function staleKeys(redis: Redis, db: Kysely<Database>, keys: readonly string[]): Promise<string[]> {
  const domains = new Set((await db.selectFrom('domains').select('domain_name').execute()).map((r) => r.domain_name));
  const hashes = keys.filter((k) => k.startsWith('d1:'));
  const pipeline = redis.pipeline();
  for (const key of hashes) pipeline.hmget(key, 'c', 'p', 'i');
  const referenced = new Set<string>();
  for (const [error, fields] of (await pipeline.exec()) ?? []) {
    if (error) throw error;
    const [c, p, i] = fields as (string | null)[];
    if (c) referenced.add(`c:${c}`);
    if (p) referenced.add(`p:${p}`);
    if (i) referenced.add(`i:${i}`);
  }
  return keys.filter((key) => {
    const [, kind, rest] = PRIME_KEY.exec(key) as RegExpExecArray;
    return kind === 'd1' || kind === 'd2' ? !domains.has(rest as string) : !referenced.has(key);
  });
}

/**
 * Rebuilds the Redis prime from the catalog: waits until the catalog has passed the event log's
 * head, writes every domain (full prime: each key overwritten in place, so nginx never finds a
 * domain missing meanwhile), then in one MULTI guarded by WATCH on the prime's checkpoint deletes
 * the keys a fresh prime would not hold and moves the checkpoint to that head. The live prime
 * runner's next batch then finds its checkpoint moved and reloads; events after the head are
 * rewritten by it (idempotent).
 */
export async function rebuildPrime(
  deps: ServedDeps & { store: EventStore; redis: Redis; options: PrimeOptions },
  options: { catalogTimeoutMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<PrimeRebuildResult> {
  const started = performance.now();
  const lock = await claimRebuild(deps.db, PRIME_NAME);
  // WATCH belongs to a connection: never the shared one.
  const redis = deps.redis.duplicate();
  try {
    const head = await deps.store.headPosition();
    await waitForCheckpoint(deps.db, 'catalog', head, options.catalogTimeoutMs ?? 120_000);
    const total = Number((await deps.db.selectFrom('domains').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const full = await fullPrime({ db: deps.db, vault: deps.vault, redis, options: deps.options }, { onProgress: (done) => options.onProgress?.(done, total) });
    await lock.beat();
    for (let sweep = 1; ; sweep += 1) {
      await redis.watch(PRIME_CHECKPOINT_KEY);
      const stale = await staleKeys(redis, deps.db, await scanPrimeKeys(redis));
      const multi = redis.multi();
      for (let at = 0; at < stale.length; at += 1000) multi.del(...stale.slice(at, at + 1000));
      multi.set(PRIME_CHECKPOINT_KEY, head.toString());
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw new Error('Redis prime rebuild: sweep failed', { cause: failed[0] });
      if (results) {
        const elapsedMs = Math.max(1, Math.round(performance.now() - started));
        return {
          name: PRIME_NAME,
          position: head,
          domains: full.domains,
          certificates: full.certificates,
          removed: full.removed,
          staleKeys: stale.length,
          elapsedMs,
          domainsPerSecond: Math.round(((full.domains + full.removed) * 1000) / elapsedMs),
        };
      }
      // The live prime runner committed a batch meanwhile: look again.
      if (sweep >= MAX_SWEEPS) throw new Error(`Redis prime rebuild: the live prime kept moving for ${sweep} sweeps`);
    }
  } finally {
    redis.disconnect();
    await lock.release();
  }
}
