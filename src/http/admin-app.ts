import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { bearerAuth, roleHeader } from './middleware.js';
import { acmeAccountsRoutes } from './routes/acme-accounts.routes.js';
import { acmeOrdersRoutes } from './routes/acme-orders.routes.js';
import { caRoutes } from './routes/ca.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { certificateRoutes } from './routes/certificates.routes.js';
import { peterSslersAcmeAccountsRoutes } from './routes/compat/acme-accounts.routes.js';
import { peterSslersAcmeOrdersRoutes } from './routes/compat/acme-orders.routes.js';
import { peterSslersCaRoutes } from './routes/compat/ca.routes.js';
import { peterSslersCatalogRoutes } from './routes/compat/catalog.routes.js';
import { peterSslersLifecycleRoutes } from './routes/compat/lifecycle.routes.js';
import { peterSslersRoutes } from './routes/compat/peter-sslers.routes.js';
import { domainRoutes } from './routes/domains.routes.js';
import { lifecycleRoutes } from './routes/lifecycle.routes.js';
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
  app.use(deps.adminPrefix, peterSslersCaRoutes(deps));
  app.use(deps.adminPrefix, peterSslersLifecycleRoutes(deps));
  app.use(deps.adminPrefix, peterSslersCatalogRoutes(deps));
  app.use(deps.adminPrefix, peterSslersAcmeAccountsRoutes(deps));
  app.use(deps.adminPrefix, peterSslersAcmeOrdersRoutes(deps));
  const api = express.Router();
  api.use(certificateRoutes(deps));
  api.use(caRoutes(deps));
  api.use(lifecycleRoutes(deps));
  api.use(catalogRoutes(deps));
  api.use(acmeAccountsRoutes(deps));
  api.use(acmeOrdersRoutes(deps));
  api.use(domainRoutes(deps));
  api.use(projectionRoutes(deps));
  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
