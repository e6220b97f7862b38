/**
 * The overview: what needs attention now (expiring certificates, renewals due or failing, the last
 * ACME problems) and whether the read models keep up. Every figure comes from the query the API,
 * /metrics or the expiry alerts use, so the page and the API never disagree.
 */
import { Router } from 'express';
import { certificatesAtRisk } from '../../../commands/maintenance/expiry-alerts.js';
import type { AppDeps } from '../../app-deps.js';
import { listCertificates } from '../../queries/certificate-list.js';
import { activeCertificatesByExpiry, failingRenewals, projectionLag, recentAcmeProblems, renewalCounts } from '../../queries/overview.js';
import { renewalQueueItems } from '../../queries/renewal-configurations.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { ctxOf, sendPage } from '../respond.js';
import { card, expiryChart } from './overview-chart.js';
import { acmeProblemsTable, failingRenewalsTable, lagTable } from './overview-tables.js';

const SHOWN = 10;

export function overviewPages(deps: AppDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const ctx = ctxOf(res);
    const now = ctx.now;
    // One row of each list answers "how many" with the list's own filters (its total).
    const expiring = (days: number) => listCertificates(deps.db, { expiring_within_days: days }, { limit: 1, offset: 0 }, now).then((p) => p.total);
    const [week, month, atRisk, buckets, renewals, failing, queued, problems, lag] = await Promise.all([
      expiring(7), expiring(30), certificatesAtRisk(deps.db, now), activeCertificatesByExpiry(deps.db, now),
      renewalCounts(deps.db, now), failingRenewals(deps.db, SHOWN), renewalQueueItems(deps.db, 'queued', 200),
      recentAcmeProblems(deps.db, SHOWN), projectionLag(deps),
    ]);
    const certificates = `${ctx.base}/certificates`;
    sendPage(res, 200, page(ctx, { title: 'Overview', section: 'overview' }, html`
<section aria-labelledby="h-expiry"><h2 id="h-expiry">Certificates</h2>
<div class="cards">
${card(week, 'expiring within 7 days', `${certificates}?expiring_within_days=7`)}
${card(month, 'expiring within 30 days', `${certificates}?expiring_within_days=30`)}
${card(atRisk.length, 'served and at risk of expiring before a renewal replaces them')}
${card(buckets.reduce((n, b) => n + b.count, 0), 'active certificates', certificates)}
</div>
${expiryChart(buckets)}</section>
<section aria-labelledby="h-renewals"><h2 id="h-renewals">Renewals</h2>
<div class="cards">
${card(renewals.due, 'renewal configurations due now', `${ctx.base}/renewal-configurations`)}
${card(renewals.failing, 'failing (last attempt failed)')}
${card(renewals.running, 'attempts running')}
${card(queued.length, queued.length === 200 ? 'or more waiting in the renewal queue' : 'waiting in the renewal queue', `${ctx.base}/queues`)}
</div>
${failingRenewalsTable(ctx, failing)}</section>
<section aria-labelledby="h-problems"><h2 id="h-problems">Last ACME problems</h2>
${acmeProblemsTable(ctx, problems)}</section>
<section aria-labelledby="h-lag"><h2 id="h-lag">Projections</h2>
${lagTable(lag)}</section>`));
  });

  return router;
}
