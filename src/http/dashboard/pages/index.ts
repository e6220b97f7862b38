import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { accountsPages } from './accounts.js';
import { acmeServersPages } from './acme-servers.js';
import { caPages } from './ca.js';
import { certificatesPages } from './certificates.js';
import { domainsPages } from './domains.js';
import { ordersPages } from './orders.js';
import { overviewPages } from './overview.js';
import { queuesPages } from './queues.js';
import { renewalPages } from './renewal.js';
import { sitesPages } from './sites.js';

/** Every page of the dashboard, one module per section. */
export function dashboardPages(deps: AppDeps): Router {
  const router = Router();
  for (const pages of [overviewPages, domainsPages, certificatesPages, ordersPages, renewalPages, accountsPages, acmeServersPages, queuesPages, sitesPages, caPages]) {
    router.use(pages(deps));
  }
  return router;
}
