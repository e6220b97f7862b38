import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { RedisNotEnabledError, runFullPrime } from '../../redis-prime.js';

/**
 * peter_sslers' `POST /api/redis/prime.json`: `{"result": "success", "operations_event": {"id",
 * "total_primed"}}`, or `{"result": "error", "error"}`. The id is the RedisPrimeWritten event's;
 * total_primed counts domains and distinct certificates as peter_sslers does.
 */
export function peterSslersRedisRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/api/redis/prime.json', async (_req, res) => {
    try {
      const result = await runFullPrime(deps, { actor: 'api' });
      res.json({
        result: 'success',
        operations_event: { id: result.eventId, total_primed: { domain: result.domains, cert: result.certificates, removed: result.removed } },
        prime_style: (deps.redisPrime?.styles ?? [1, 2]).join(','),
      });
    } catch (error) {
      if (!(error instanceof RedisNotEnabledError)) throw error;
      res.status(400).json({ result: 'error', error: 'redis is not enabled', code: 'not_enabled', message: 'redis is not enabled (set REDIS_URL)' });
    }
  });
  return router;
}
