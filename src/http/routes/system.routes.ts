import { Router } from 'express';
import { runningRebuilds } from '../../projections/rebuild/rebuild-lock.js';
import { primeLag } from '../queries/overview.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { registerReadModelGauges } from '../metrics.js';

type PrimeView = { position: string | null; lag: string | null; last_error: string | null };

/** The Redis prime's position and lag, as strings (informative only: nginx falls back to config.json, so it never makes the service unready). */
async function primeView(deps: Pick<AppDeps, 'redis' | 'primeStatus'>, head: bigint): Promise<PrimeView | null> {
  const lag = await primeLag(deps, head);
  return lag && { position: lag.position?.toString() ?? null, lag: lag.lag?.toString() ?? null, last_error: lag.lastError };
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
