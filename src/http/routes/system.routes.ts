import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Liveness and readiness; readiness means every projection has caught up with the event log. */
export function healthRoutes(deps: Pick<AppDeps, 'store' | 'projections'>): Router {
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
    });
  });
  return router;
}
