/**
 * The dashboard overview's figures that no API function returns as data: /metrics computes the
 * same ones inside its gauges (src/http/metrics.ts), so these queries keep its definitions.
 */
import type { Kysely } from 'kysely';
import { readPrimeCheckpoint } from '../../projections/redis-prime/checkpoint.js';
import type { Database } from '../../infra/db/schema.js';
import type { AppDeps } from '../app-deps.js';
import { orderJson } from './acme-orders.js';

const DAY_MS = 86_400_000;

/** Days-to-expiry buckets of active certificates: upper bounds in days (inclusive), the last open. */
export const EXPIRY_BUCKETS = [
  { label: 'expired', upTo: 0 },
  { label: '0–7 days', upTo: 7 },
  { label: '8–14 days', upTo: 14 },
  { label: '15–30 days', upTo: 30 },
  { label: '31–60 days', upTo: 60 },
  { label: '61–90 days', upTo: 90 },
  { label: 'over 90 days', upTo: null },
] as const;

export type ExpiryBucket = { label: string; count: number };

/** Active certificates per bucket (expired: notAfter ≤ now; 0–7: in (now, now + 7 days]; …). */
export async function activeCertificatesByExpiry(db: Kysely<Database>, now: Date): Promise<ExpiryBucket[]> {
  const until = (days: number) => new Date(now.getTime() + days * DAY_MS);
  const row = await db.selectFrom('certificates').where('is_active', '=', true).select((eb) => EXPIRY_BUCKETS.map((bucket, i) => {
    const from = i === 0 ? null : until(EXPIRY_BUCKETS[i - 1]!.upTo!);
    const conditions = [
      ...(from ? [eb('not_after', '>', from)] : []),
      ...(bucket.upTo !== null ? [eb('not_after', '<=', until(bucket.upTo))] : []),
    ];
    return eb.fn.countAll<string>().filterWhere(eb.and(conditions)).as(`b${i}`);
  })).executeTakeFirstOrThrow() as Record<string, string>;
  return EXPIRY_BUCKETS.map((bucket, i) => ({ label: bucket.label, count: Number(row[`b${i}`]) }));
}

/** Active renewal configurations: total, due now, failing (last attempt failed), running — as the renewal gauge counts them. */
export async function renewalCounts(db: Kysely<Database>, now: Date) {
  const row = await db.selectFrom('renewal_configurations').select((eb) => [
    eb.fn.countAll<string>().as('total'),
    eb.fn.countAll<string>().filterWhere((w) => w.and([w('is_auto_renew', '=', true), w.or([w('renew_at', 'is', null), w('renew_at', '<=', now)])])).as('due'),
    eb.fn.countAll<string>().filterWhere('consecutive_failures', '>', 0).as('failing'),
    eb.fn.countAll<string>().filterWhere('attempt_id', 'is not', null).as('running'),
  ]).where('is_active', '=', true).executeTakeFirstOrThrow();
  return { total: Number(row.total), due: Number(row.due), failing: Number(row.failing), running: Number(row.running) };
}

/** Active configurations whose last attempts failed, most failures first. */
export async function failingRenewals(db: Kysely<Database>, limit: number) {
  return db.selectFrom('renewal_configurations')
    .select(['id', 'domain_names', 'consecutive_failures', 'last_attempt_at', 'last_failure', 'next_attempt_at'])
    .where('is_active', '=', true).where('consecutive_failures', '>', 0)
    .orderBy('consecutive_failures', 'desc').orderBy('last_attempt_at', 'desc').orderBy('id')
    .limit(limit).execute();
}

/**
 * Orders whose last step failed (AcmeOrderStepFailed: `last_failure`) or that the server made
 * invalid (`error`), newest change first, as the API's order JSON.
 */
export async function recentAcmeProblems(db: Kysely<Database>, limit: number) {
  const rows = await db.selectFrom('acme_orders').selectAll()
    .where((eb) => eb.or([eb('last_failure', 'is not', null), eb('error', 'is not', null), eb('status', '=', 'invalid')]))
    .orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(orderJson);
}

export type LagView = {
  head: bigint;
  projections: { name: string; version: number; position: bigint; lag: bigint; lastError: string | null }[];
  /** null: this process has no Redis prime to report on. */
  prime: { position: bigint | null; lag: bigint | null; lastError: string | null } | null;
};

/**
 * Where the Redis prime stands: this process's runner (projector role), else the checkpoint it
 * keeps in Redis (other roles); null without Redis. A page or probe never waits long on Redis.
 */
export async function primeLag(deps: Pick<AppDeps, 'primeStatus' | 'redis'>, head: bigint): Promise<LagView['prime']> {
  const at = (position: bigint | undefined, error?: string) => ({ position: position ?? null, lag: position === undefined ? null : head - position, lastError: error ?? null });
  if (deps.primeStatus) {
    const status = deps.primeStatus();
    return at(status.position, status.lastError);
  }
  if (!deps.redis) return null;
  try {
    return at(await Promise.race([
      readPrimeCheckpoint(deps.redis),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis did not answer within 500 ms')), 500).unref()),
    ]));
  } catch (error) {
    return at(undefined, error instanceof Error ? error.message : String(error));
  }
}

/** Events appended that each projection (and the Redis prime) has not applied yet, as /metrics and /readyz report them. */
export async function projectionLag(deps: Pick<AppDeps, 'store' | 'projections' | 'primeStatus' | 'redis'>): Promise<LagView> {
  const [head, projections] = await Promise.all([deps.store.headPosition(), deps.projections.status()]);
  return {
    head,
    projections: projections.map((p) => ({ name: p.name, version: p.version, position: p.position, lag: head - p.position, lastError: p.lastError ?? null })),
    prime: await primeLag(deps, head),
  };
}
