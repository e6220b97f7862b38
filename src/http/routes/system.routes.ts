import { Router } from 'express';
import { runningRebuilds } from '../../projections/rebuild/rebuild-lock.js';
import { readPrimeCheckpoint } from '../../projections/redis-prime/checkpoint.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { registerReadModelGauges } from '../metrics.js';

type PrimeView = { position: string | null; lag: string | null; last_error: string | null };

/**
 * Where the Redis prime stands: this process's runner (projector role), else the checkpoint it
 * keeps in Redis (other roles); null without Redis. Informative only: nginx falls back to
 * config.json, so a lagging or absent prime never makes the service unready.
 */
async function primeView(deps: Pick<AppDeps, 'redis' | 'primeStatus'>, head: bigint): Promise<PrimeView | null> {
  const view = (position: bigint | undefined, error?: string): PrimeView => ({
    position: position === undefined ? null : position.toString(),
    lag: position === undefined ? null : (head - position).toString(),
    last_error: error ?? null,
  });
  if (deps.primeStatus) {
    const status = deps.primeStatus();
    return view(status.position, status.lastError);
  }
  if (!deps.redis) return null;
  try {
    const position = await Promise.race([
      readPrimeCheckpoint(deps.redis),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis did not answer within 500 ms')), 500).unref()),
    ]);
    return view(position);
  } catch (error) {
    return view(undefined, error instanceof Error ? error.message : String(error));
  }
}

/** Liveness and readiness; readiness means every projection has caught up with the event log. */
export function healthRoutes(deps: Pick<AppDeps, 'store' | 'projections' | 'redis' | 'primeStatus'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [head, projections] = await Promise.all([deps.store.headPosition(), deps.projections.status()]);
    const lagging = projections.filter((p) => p.position < head || p.lastError);
    res.status(lagging.length === 0 ? 200 : 503).json({
      status: lagging.length === 0 ? 'ready' : 'catching_up',
      head_position: head.toString(),
      projections: projections.map((p) => ({ name: p.name, version: p.version, position: p.position.toString(), last_error: p.lastError ?? null })),
      redis_prime: await primeView(deps, head),
    });
  });
  return router;
}

export function projectionRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/projections', async (_req, res) => {
    const head = await deps.store.headPosition();
    const projections = await deps.projections.status();
    res.json({
      head_position: head.toString(),
      items: projections.map((p) => ({ name: p.name, version: p.version, position: p.position.toString(), lag: (head - p.position).toString(), last_error: p.lastError ?? null })),
      redis_prime: await primeView(deps, head),
      // Rebuilds beside the live tables running now, in any process (POST /projections/{name}/rebuild).
      rebuilding: (await runningRebuilds(deps.db)).map((r) => ({ name: r.name, started_at: r.startedAt.toISOString() })),
    });
  });
  return router;
}

/** Prometheus text exposition; behind the admin token like every admin route (scrapers send `bearer_token`). */
export function metricsRoutes(deps: AppDeps): Router {
  const router = Router();
  // Registered once, when the app is built, not on every scrape.
  const metrics = deps.metrics;
  if (metrics) registerReadModelGauges(metrics, deps);
  router.get('/metrics', async (_req, res) => {
    if (!metrics) throw new NotFoundError('metrics are not collected in this process');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
