/**
 * The renewal queue on the queues page: what a run would renew now and why, the queue's items
 * with their outcomes, and its buttons — the commands of POST /api/v1/renewal-queue/update and
 * /process. "Due" is the run's own candidate query, so the page and the runner cannot disagree.
 */
import { Router } from 'express';
import type { CommandContext } from '../../../commands/handle.js';
import { processRenewalQueue, processRenewalQueueLoop, updateRenewalQueue } from '../../../commands/renewal/queue.js';
import { dueCandidates } from '../../../commands/renewal/run.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { listRenewalConfigurations, renewalConfigurationJson, renewalQueueItems } from '../../queries/renewal-configurations.js';
import { renewalAnswers } from '../../routes/renewal.routes.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { renewalQueueProcessBody } from '../../schemas/renewal.schema.js';
import { formValues } from '../forms.js';
import { html, type Html } from '../html.js';
import { actionButton, badge, isoDate, type DashboardContext } from '../layout.js';
import { table } from '../lists.js';
import { ctxOf, redirectDone } from '../respond.js';
import { renewalHref } from './renewal-status.js';

const CONTEXT: CommandContext = { actor: 'dashboard' };

export const RENEWAL_QUEUE_NOTICES = {
  'renewals-queued': 'Every due configuration is in the queue.',
  'renewal-processed': 'The next queued renewal ran: its row below shows the outcome.',
  'renewals-processed': 'The queue was worked through: each row below shows its outcome.',
  'renewal-queue-empty': 'Nothing was queued: there was nothing to process.',
};

type Configuration = ReturnType<typeof renewalConfigurationJson>;

/** Why the run picks it: dueCandidates chose it, so a renew time still ahead means the CA's ARI window said now. */
function why(c: Configuration, now: Date): Html {
  const after = c.consecutive_failures > 0 ? html` <span class="muted">after ${c.consecutive_failures} failure(s)</span>` : '';
  if (!c.latest_certificate_id) return html`no certificate yet${after}`;
  if (c.renew_at && new Date(c.renew_at) <= now) return html`renewal time passed (${isoDate(c.renew_at)})${after}`;
  return html`the CA's renewal window (ARI) says now${after}`;
}

export async function renewalQueueSection(deps: AppDeps, ctx: DashboardContext): Promise<Html> {
  const now = deps.now();
  const [dueIds, items] = await Promise.all([dueCandidates(deps.db, now, null, 100), renewalQueueItems(deps.db, undefined, 200)]);
  const due = (await listRenewalConfigurations(deps.db, { ids: dueIds, sort: 'renew_at', dir: 'asc', limit: 100, offset: 0 })).items.map(renewalConfigurationJson);
  const failures = items.filter((i) => i.status === 'failed').length;
  const base = `${ctx.base}/queues/renewal`;
  const configLink = (id: string, text: string) => html`<a href="${renewalHref(ctx, id)}">${text}</a>`;
  return html`<h2 id="renewal-queue">Renewal queue</h2>
<p>${due.length} configuration(s) due now · ${items.filter((i) => i.status === 'queued').length} queued · ${failures} failed recently.</p>
<div class="actions">
${actionButton(ctx, `${base}/update`, 'Queue what is due')}
${actionButton(ctx, `${base}/process`, 'Process the next queued renewal', { primary: true })}
${actionButton(ctx, `${base}/process`, 'Process the whole queue', { fields: { loop: 'true' }, confirm: 'Renew everything queued now? Each renewal places an order.' })}
</div>
${table('Due now (what a renewal run would renew)', html`<th scope="col">Names</th><th scope="col">Why</th><th scope="col">Last failure</th>`,
  due.map((c) => html`<tr><td>${configLink(c.id, c.domain_names.join(', '))}</td><td>${why(c, now)}</td><td>${(c.last_failure as { message?: string } | null)?.message ?? '—'}</td></tr>`),
  'Nothing is due.')}
${table('Queue items, newest first', html`<th scope="col">Configuration</th><th scope="col">Status</th><th scope="col">Queued</th><th scope="col">Processed</th><th scope="col">Order</th><th scope="col">Certificate</th><th scope="col">Failure</th>`,
  items.map((i) => html`<tr><td>${configLink(i.renewal_configuration_id, i.renewal_configuration_id.slice(0, 8))}</td><td>${badge(i.status)}</td><td>${isoDate(i.queued_at)}</td><td>${isoDate(i.processed_at)}</td>
<td>${i.acme_order_id ? html`<a href="${ctx.base}/orders/${i.acme_order_id}">${i.acme_order_id.slice(0, 8)}</a>` : '—'}</td><td>${i.certificate_id ? html`<a href="${ctx.base}/certificates/${i.certificate_id}">${i.certificate_id.slice(0, 8)}</a>` : '—'}</td><td>${i.failure ?? ''}</td></tr>`),
  'The renewal queue is empty: "Queue what is due" fills it.')}`;
}

export function renewalQueueRoutes(deps: AppDeps): Router {
  const router = Router();
  const { settled } = renewalAnswers(deps);
  const back = (ctx: DashboardContext) => `${ctx.base}/queues`;

  router.post('/queues/renewal/update', async (_req, res) => {
    const update = await updateRenewalQueue({ store: deps.store, db: deps.db, now: deps.now, acme: deps.acme }, {}, CONTEXT);
    if (update.position !== null) await deps.projections.waitFor(update.position);
    redirectDone(res, back(ctxOf(res)), 'renewals-queued');
  });

  router.post('/queues/renewal/process', async (req, res) => {
    const input = parseOrThrow(renewalQueueProcessBody, { loop: formValues(req.body).loop === 'true' });
    if (input.loop) {
      const outcomes = await processRenewalQueueLoop(orderDepsOf(deps), {}, CONTEXT);
      for (const o of outcomes) await settled(o.configurationId);
      return redirectDone(res, back(ctxOf(res)), outcomes.length > 0 ? 'renewals-processed' : 'renewal-queue-empty');
    }
    const { processed } = await processRenewalQueue(orderDepsOf(deps), CONTEXT);
    if (processed) await settled(processed.configurationId);
    redirectDone(res, back(ctxOf(res)), processed ? 'renewal-processed' : 'renewal-queue-empty');
  });
  return router;
}
