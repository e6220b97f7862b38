import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { requestIds, roleHeader } from './middleware.js';
import { publicRateLimiter } from './rate-limit.js';
import { acmeChallengeRoutes } from './routes/acme-challenge.routes.js';
import { healthRoutes } from './routes/system.routes.js';

/** What the internet may reach: health, whoami and ACME http-01 answers. Never an admin route. */
export function createPublicApp(deps: Pick<AppDeps, 'db' | 'store' | 'projections' | 'logger' | 'now' | 'publicRateLimit'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(roleHeader('public'));
  app.use(requestIds(deps.logger, ['/healthz', '/readyz']));
  app.use(healthRoutes(deps));
  if (deps.publicRateLimit) app.use(publicRateLimiter(deps.publicRateLimit));
  app.get('/.well-known/public/whoami', (req, res) => {
    res.type('text/plain').send(req.hostname);
  });
  app.use(acmeChallengeRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
