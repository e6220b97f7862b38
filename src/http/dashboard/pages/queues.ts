/**
 * The queues page: the renewal queue (renewal-queue.ts) and the domain queue — names waiting to
 * be ordered, the batch being ordered, what was ordered — with the commands of
 * POST /api/v1/domain-queue (add) and /domain-queue/process.
 */
import { Router, type Request, type Response } from 'express';
import type { CommandContext } from '../../../commands/handle.js';
import { addToDomainQueue } from '../../../commands/domain-queue/add-domains.js';
import { loadDomainQueue, processDomainQueue } from '../../../commands/domain-queue/process-queue.js';
import { KEY_TECHNOLOGIES } from '../../../domain/acme-order/key-cycle.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { domainQueueAddBody, domainQueueProcessBody } from '../../schemas/autocert.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { emptyForm, errorSummary, field, formFailure, formValues, lines, type FormState } from '../forms.js';
import { html } from '../html.js';
import { csrfField, page, type DashboardContext, type Notice } from '../layout.js';
import { table } from '../lists.js';
import { ctxOf, noticeFrom, redirectDone, sendPage } from '../respond.js';
import { accountOptions } from './account-options.js';
import { RENEWAL_QUEUE_NOTICES, renewalQueueRoutes, renewalQueueSection } from './renewal-queue.js';
import { errorsLike } from '../forms.js';

const CONTEXT: CommandContext = { actor: 'dashboard' };

const NOTICES = {
  ...RENEWAL_QUEUE_NOTICES,
  'domains-queued': 'Names added to the domain queue (names already active or queued are left as they were).',
  'domains-blocklisted': 'Some names are blocklisted or outside the allowed patterns and were not queued.',
  'domain-batch-ordered': 'The oldest queued names were ordered together and issued.',
  'domain-batch-failed': 'The order for the queued names failed: they are back in the queue.',
  'domain-queue-empty': 'The domain queue is empty: nothing was ordered.',
};

type States = { add: FormState; process: FormState };

async function queuesPage(deps: AppDeps, ctx: DashboardContext, states: States, notice?: Notice) {
  const [renewal, queue, accounts] = await Promise.all([renewalQueueSection(deps, ctx), loadDomainQueue(deps.store), accountOptions(deps.db, 'As the system policy says')]);
  const ordered = Object.entries(queue.ordered).reverse();
  const path = `${ctx.base}/queues/domains`;
  return page(ctx, { title: 'Queues', section: 'queues', notice }, html`${renewal}
<h2 id="domain-queue">Domain queue</h2>
<p>Names waiting for a certificate; processing orders the oldest ones together in one certificate.</p>
${table('Queued names, oldest first', html`<th scope="col">Name</th>`, queue.queued.map((n) => html`<tr><td><code>${n}</code></td></tr>`), 'No name is queued.')}
${queue.claim ? html`<p>Being ordered now: ${queue.claim.domainNames.join(', ')} (since ${queue.claim.claimedAt}).</p>` : ''}
<h3>Order the queued names</h3>
<form method="post" action="${path}/process">${csrfField(ctx)}${errorSummary(states.process)}
${field(states.process, { name: 'acme_account_id', label: 'ACME account for the order', type: 'select', options: accounts })}
${field(states.process, { name: 'key_technology', label: 'Key technology', type: 'select', options: [['', 'As the system policy says'], ...KEY_TECHNOLOGIES.map((k): [string, string] => [k, k])] })}
${field(states.process, { name: 'max_domains_per_certificate', label: 'Most names in the certificate', type: 'number', hint: '1 to 100; blank for the default.' })}
<button type="submit" class="primary">Process the domain queue</button></form>
<h3>Add names to the queue</h3>
<form method="post" action="${path}">${csrfField(ctx)}${errorSummary(states.add)}
${field(states.add, { name: 'domain_names', label: 'Domain names', type: 'textarea', rows: 3, required: true, hint: 'One per line (or comma-separated). Each is proven by http-01 when ordered.', errorsFrom: errorsLike(states.add, 'domain_names') })}
<button type="submit">Add to the domain queue</button></form>
${table('Ordered from the queue (newest first)', html`<th scope="col">Name</th><th scope="col">Order</th>`,
  ordered.slice(0, 100).map(([name, orderId]) => html`<tr><td><code>${name}</code></td><td><a href="${ctx.base}/orders/${orderId}">${orderId}</a></td></tr>`), 'Nothing was ordered from the queue yet.')}`);
}

export function queuesPages(deps: AppDeps): Router {
  const router = Router();
  const blank = (): States => ({ add: emptyForm(), process: emptyForm() });
  const refuse = async (req: Request, res: Response, error: unknown, which: keyof States, values: Record<string, string>) => {
    const failed = formFailure(error, req, values);
    sendPage(res, failed.status, await queuesPage(deps, ctxOf(res), { ...blank(), [which]: failed.state }));
  };

  router.get('/queues', async (req, res) => {
    const notice = noticeFrom(req.query, NOTICES);
    if (notice && /failed|blocklisted/.test(String(req.query.done))) notice.kind = 'error';
    sendPage(res, 200, await queuesPage(deps, ctxOf(res), blank(), notice));
  });

  router.use(renewalQueueRoutes(deps));

  router.post('/queues/domains', async (req, res) => {
    const values = formValues(req.body);
    try {
      const body = parseOrThrow(domainQueueAddBody, { domain_names: lines(values.domain_names) });
      const added = await addToDomainQueue({ ...orderDepsOf(deps), autocertNames: deps.autocertNames }, body.domain_names, CONTEXT);
      if (added.position !== null) await deps.projections.waitFor(added.position, { timeoutMs: 30_000 });
      redirectDone(res, `${ctxOf(res).base}/queues`, Object.values(added.outcomes).includes('blocklisted') ? 'domains-blocklisted' : 'domains-queued');
    } catch (error) {
      await refuse(req, res, error, 'add', values);
    }
  });

  router.post('/queues/domains/process', async (req, res) => {
    const values = formValues(req.body);
    let body;
    try {
      body = parseOrThrow(domainQueueProcessBody, Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')));
    } catch (error) {
      return refuse(req, res, error, 'process', values);
    }
    const batch = await processDomainQueue(orderDepsOf(deps), { accountId: body.acme_account_id, keyTechnology: body.key_technology, max: body.max_domains_per_certificate }, CONTEXT);
    redirectDone(res, `${ctxOf(res).base}/queues`, !batch ? 'domain-queue-empty' : batch.ok ? 'domain-batch-ordered' : 'domain-batch-failed');
  });
  return router;
}
