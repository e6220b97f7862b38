import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { roleHeader } from './middleware.js';
import { healthRoutes } from './routes/system.routes.js';

/** What the internet may reach: health and whoami now, ACME HTTP-01 answers later. Never an admin route. */
export function createPublicApp(deps: Pick<AppDeps, 'store' | 'projections' | 'logger'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(roleHeader('public'));
  app.use(healthRoutes(deps));
  app.get('/.well-known/public/whoami', (req, res) => {
    res.type('text/plain').send(req.hostname);
  });
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
