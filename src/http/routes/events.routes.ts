import { Router } from 'express';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { history, listEvents } from '../queries/audit.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';
import { domainHistoryParams, eventListQuery, historyQuery, orderHistoryParams } from '../schemas/events.schema.js';

/**
 * The audit: the event log with filters, and the history of a domain or an ACME order (every
 * event that touched it, oldest first). Pages of `limit` (≤ 500); continue with `after=next_after`.
 * Mounted after the domain and order routes: `/acme-orders/:id/:file` passes unknown files on.
 */
export function eventsRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const { stream, type, since, until, after, limit } = parseOrThrow(eventListQuery, req.query);
    res.json(await listEvents(deps, { streams: stream, types: type, since, until, after }, limit));
  });

  router.get('/domains/:name/history', async (req, res) => {
    const { domain: name } = parseOrThrow(domainHistoryParams, { domain: req.params.name });
    const { after, limit } = parseOrThrow(historyQuery, req.query);
    const page = await history(deps, 'domain', name, after, limit);
    if (page.items.length === 0 && after === undefined) throw new NotFoundError(`No event touched the domain ${name}`);
    res.json({ domain_name: name, ...page });
  });

  router.get('/acme-orders/:id/history', async (req, res) => {
    const { id: orderId } = parseOrThrow(orderHistoryParams, { id: req.params.id });
    const { after, limit } = parseOrThrow(historyQuery, req.query);
    const page = await history(deps, 'order', orderId, after, limit);
    if (page.items.length === 0 && after === undefined) throw new NotFoundError(`ACME order ${orderId} not found`);
    res.json({ order_id: orderId, ...page });
  });

  return router;
}
