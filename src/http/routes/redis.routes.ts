import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { runFullPrime } from '../redis-prime.js';

/** POST /api/v1/redis/prime: rewrites every domain of the Redis prime and reports the counts. */
export function redisRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/redis/prime', async (_req, res) => {
    const result = await runFullPrime(deps, { actor: 'api' });
    res.json({
      domains: result.domains,
      certificates: result.certificates,
      removed: result.removed,
      batches: result.batches,
      elapsed_ms: result.elapsedMs,
      event_id: result.eventId,
      styles: deps.redisPrime?.styles ?? [1, 2],
    });
  });
  return router;
}
