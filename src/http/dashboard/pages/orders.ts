/** ACME orders: the list, the new-order form, one order's page and its actions. */
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { createOrderAction, newOrderPage } from './order-new.js';
import { deactivateAction, markInvalidAction, processAction, processAllAction, retryAction, syncAction } from './order-actions.js';
import { sendOrderPage } from './order-detail.js';
import { orderListPage } from './order-list.js';

type Handler = (deps: AppDeps, req: Request, res: Response) => Promise<void>;

export function ordersPages(deps: AppDeps): Router {
  const router = Router();
  const bind = (handler: Handler) => (req: Request, res: Response) => handler(deps, req, res);
  router.get('/orders', bind(orderListPage));
  // Before /orders/:id, which would take "new" for an id.
  router.get('/orders/new', bind(newOrderPage));
  router.post('/orders/new', bind(createOrderAction));
  router.get('/orders/:id', bind((d, req, res) => sendOrderPage(d, req, res)));
  router.post('/orders/:id/process', bind(processAction));
  router.post('/orders/:id/process-all', bind(processAllAction));
  router.post('/orders/:id/sync', bind(syncAction));
  router.post('/orders/:id/retry', bind(retryAction));
  router.post('/orders/:id/deactivate-authorizations', bind(deactivateAction));
  router.post('/orders/:id/mark-invalid', bind(markInvalidAction));
  return router;
}
