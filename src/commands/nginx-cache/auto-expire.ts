import { sql, type Generated, type Kysely } from 'kysely';
import { NGINX_CACHE_EVENT_TYPES } from '../../domain/nginx-cache/events.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import type { Logger } from '../../infra/logger.js';
import { affectedBy, affectedDomainNames, isEmpty } from '../../projections/redis-prime/affected.js';
import { createFollowerLoop } from '../../projections/follower-loop.js';
import type { NginxCacheDeps } from './deps.js';
import { expireNginxDomains } from './expire-domains.js';
import { flushNginxCache } from './flush-all.js';

/** Its row in nginx_expiry_checkpoints (migration 0008): how far the log has been expired on nginx. */
export const NGINX_EXPIRY_CHECKPOINT = 'nginx-expiry';

/** The follower's own table, kept out of schema.ts (nothing else reads it). */
type CheckpointTables = { nginx_expiry_checkpoints: { name: string; position: bigint; updated_at: Generated<Date> } };
const checkpoints = (db: Kysely<Database>) => db.withTables<CheckpointTables>();

export type NginxExpirySettings = { batchSize: number; pollIntervalMs: number; retryInitialMs: number; retryMaxMs: number; servedTimeoutMs: number };

export type NginxExpiryDeps = NginxCacheDeps & {
  db: Kysely<Database>;
  /** Resolves once what nginx reads (the catalog, the Redis prime) has passed `position`. */
  waitForServed: (position: bigint, timeoutMs: number) => Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  settings?: Partial<NginxExpirySettings>;
};

export type NginxExpiryFollower = {
  start: () => void;
  stop: () => Promise<void>;
  nudge: () => void;
  status: () => { position: bigint | undefined; lastError?: string };
};

const defaults: NginxExpirySettings = { batchSize: 500, pollIntervalMs: 1_000, retryInitialMs: 250, retryMaxMs: 30_000, servedTimeoutMs: 60_000 };
const OWN_EVENTS = new Set(NGINX_CACHE_EVENT_TYPES);

/** A new install starts at the head: the history was served long ago, nothing in nginx holds it. */
async function loadPosition(db: Kysely<Database>, store: EventStore): Promise<bigint> {
  const head = await store.headPosition();
  await checkpoints(db)
    .insertInto('nginx_expiry_checkpoints')
    .values({ name: NGINX_EXPIRY_CHECKPOINT, position: head })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await checkpoints(db).selectFrom('nginx_expiry_checkpoints').select('position').where('name', '=', NGINX_EXPIRY_CHECKPOINT).executeTakeFirstOrThrow();
  return row.position;
}

/** Compare-and-set: false when another follower moved it. */
async function moveTo(db: Kysely<Database>, expected: bigint, position: bigint): Promise<boolean> {
  const moved = await checkpoints(db)
    .updateTable('nginx_expiry_checkpoints')
    .set({ position, updated_at: sql`now()` })
    .where('name', '=', NGINX_EXPIRY_CHECKPOINT)
    .where('position', '=', expected)
    .executeTakeFirst();
  return moved.numUpdatedRows > 0n;
}

/**
 * Follows the event log and expires, on every nginx server, each domain whose served certificate
 * may have changed — after the catalog and the prime have passed the change, so nginx refetches
 * the new certificate. Each fan-out is recorded before the checkpoint moves (a crash expires
 * again, which is harmless). A server that is down is recorded and skipped: its cache TTL bounds
 * how long it serves the old certificate.
 */
export function createNginxExpiryFollower(deps: NginxExpiryDeps): NginxExpiryFollower {
  const settings = { ...defaults, ...deps.settings };
  const { store, db, logger } = deps;
  let position: bigint | undefined;

  const expire = async (events: readonly RecordedEvent[], upTo: bigint): Promise<void> => {
    const affected = affectedBy(events.filter((e) => !OWN_EVENTS.has(e.type)));
    if (isEmpty(affected)) return;
    await deps.waitForServed(upTo, settings.servedTimeoutMs);
    const cause = { trigger: 'certificate-changed', upTo } as const;
    const context = { actor: 'system:nginx-expiry' };
    if (affected.all) {
      const recorded = await flushNginxCache(deps, cause, context);
      logger.info('nginx cache expired', { scope: 'all', upTo: upTo.toString(), errors: recorded.fanOut.errors.length });
      return;
    }
    const names = await affectedDomainNames(db, affected);
    if (names.length === 0) return;
    const recorded = await expireNginxDomains(deps, names, cause, context);
    logger.info('nginx cache expired', { scope: 'domains', domains: names.length, upTo: upTo.toString(), errors: recorded.fanOut.errors.length });
  };

  /** One batch; false when there was nothing to read. */
  const step = async (): Promise<boolean> => {
    position ??= await loadPosition(db, store);
    const events = await store.readAll({ after: position, maxCount: settings.batchSize });
    const last = events.at(-1);
    if (!last) return false;
    await expire(events, last.position);
    if (await moveTo(db, position, last.position)) position = last.position;
    else {
      logger.info('nginx expiry checkpoint moved by another follower; reloading', { follower: NGINX_EXPIRY_CHECKPOINT });
      position = undefined;
    }
    return true;
  };

  const follower = createFollowerLoop({
    store,
    settings,
    logger,
    label: 'nginx expiry',
    logFields: { follower: NGINX_EXPIRY_CHECKPOINT },
    step,
    reset: () => {
      position = undefined;
    },
  });

  return {
    start: follower.start,
    stop: follower.stop,
    nudge: follower.nudge,
    status: () => follower.status(position),
  };
}
