import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { bearerAuth, roleHeader } from './middleware.js';
import { certificateRoutes } from './routes/certificates.routes.js';
import { peterSslersRoutes } from './routes/compat/peter-sslers.routes.js';
import { domainRoutes } from './routes/domains.routes.js';
import { healthRoutes, projectionRoutes } from './routes/system.routes.js';

/** Commands and queries: the peter_sslers API under the admin prefix, the native API under /api/v1. */
export function createAdminApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(roleHeader('admin'));
  app.use(bearerAuth(deps.adminToken, ['/healthz', '/readyz']));
  app.use(healthRoutes(deps));
  app.use(deps.adminPrefix, peterSslersRoutes(deps));
  const api = express.Router();
  api.use(certificateRoutes(deps));
  api.use(domainRoutes(deps));
  api.use(projectionRoutes(deps));
  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
