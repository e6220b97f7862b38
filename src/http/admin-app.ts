import express, { type Express } from 'express';
import type { AppDeps } from './app-deps.js';
import { dashboardBase, dashboardRoutes, dashboardSession, refuseDashboard } from './dashboard/router.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { bearerAuth, requestIds, roleHeader } from './middleware.js';
import { acmeAccountsRoutes } from './routes/acme-accounts.routes.js';
import { acmeOrdersRoutes } from './routes/acme-orders.routes.js';
import { ariRoutes } from './routes/ari.routes.js';
import { caRoutes } from './routes/ca.routes.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { certificateRoutes } from './routes/certificates.routes.js';
import { peterSslersAcmeAccountsRoutes } from './routes/compat/acme-accounts.routes.js';
import { peterSslersAcmeOrdersRoutes } from './routes/compat/acme-orders.routes.js';
import { peterSslersAutocertRoutes } from './routes/compat/autocert.routes.js';
import { autocertRoutes } from './routes/autocert.routes.js';
import { peterSslersCaRoutes } from './routes/compat/ca.routes.js';
import { peterSslersCatalogRoutes } from './routes/compat/catalog.routes.js';
import { peterSslersLifecycleRoutes } from './routes/compat/lifecycle.routes.js';
import { peterSslersNginxRoutes } from './routes/compat/nginx.routes.js';
import { peterSslersRoutes } from './routes/compat/peter-sslers.routes.js';
import { peterSslersRedisRoutes } from './routes/compat/redis.routes.js';
import { peterSslersRenewalRoutes } from './routes/compat/renewal.routes.js';
import { domainRoutes } from './routes/domains.routes.js';
import { eventsRoutes } from './routes/events.routes.js';
import { lifecycleRoutes } from './routes/lifecycle.routes.js';
import { nginxRoutes } from './routes/nginx.routes.js';
import { openApiRoutes } from './routes/openapi.routes.js';
import { projectionRebuildRoutes } from './routes/projections.routes.js';
import { redisRoutes } from './routes/redis.routes.js';
import { renewalRoutes } from './routes/renewal.routes.js';
import { sitesRoutes } from './routes/sites.routes.js';
import { healthRoutes, metricsRoutes, projectionRoutes } from './routes/system.routes.js';

/** Commands and queries: the peter_sslers API under the admin prefix, the native API under /api/v1. */
export function createAdminApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(roleHeader('admin'));
  app.use(requestIds(deps.logger, ['/healthz', '/readyz']));
  const dashboard = dashboardBase(deps.adminPrefix);
  app.use(bearerAuth(deps.adminToken, {
    open: ['/healthz', '/readyz', `${dashboard}/login`],
    openPrefixes: [`${dashboard}/assets/`],
    ...(deps.adminToken ? { dashboard: { base: dashboard, session: dashboardSession(deps.adminToken), refuse: refuseDashboard(deps) } } : {}),
  }));
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(deps));
  app.use(dashboard, dashboardRoutes(deps));
  app.use(deps.adminPrefix, peterSslersRoutes(deps));
  app.use(deps.adminPrefix, peterSslersCaRoutes(deps));
  app.use(deps.adminPrefix, peterSslersLifecycleRoutes(deps));
  app.use(deps.adminPrefix, peterSslersCatalogRoutes(deps));
  app.use(deps.adminPrefix, peterSslersAcmeAccountsRoutes(deps));
  app.use(deps.adminPrefix, peterSslersAcmeOrdersRoutes(deps));
  app.use(deps.adminPrefix, peterSslersRenewalRoutes(deps));
  app.use(deps.adminPrefix, peterSslersAutocertRoutes(deps));
  app.use(deps.adminPrefix, peterSslersRedisRoutes(deps));
  app.use(deps.adminPrefix, peterSslersNginxRoutes(deps));
  const api = express.Router();
  api.use(certificateRoutes(deps));
  api.use(caRoutes(deps));
  api.use(lifecycleRoutes(deps));
  api.use(catalogRoutes(deps));
  api.use(acmeAccountsRoutes(deps));
  api.use(acmeOrdersRoutes(deps));
  api.use(ariRoutes(deps));
  api.use(autocertRoutes(deps));
  api.use(domainRoutes(deps));
  api.use(eventsRoutes(deps));
  api.use(renewalRoutes(deps));
  api.use(redisRoutes(deps));
  api.use(nginxRoutes(deps));
  api.use(sitesRoutes(deps));
  api.use(projectionRoutes(deps));
  api.use(projectionRebuildRoutes(deps));
  api.use(openApiRoutes());
  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
