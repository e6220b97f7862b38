import express, { Router, type Request, type Response } from 'express';
import { triggerChallenge } from '../../commands/acme-order/answer-challenges.js';
import { deactivateAuthorizations, orderOfAuthorization, orderOfChallenge } from '../../commands/acme-order/deactivate-authorizations.js';
import { downloadCertificate } from '../../commands/acme-order/download-certificate.js';
import { finalizeOrder } from '../../commands/acme-order/finalize-order.js';
import { markOrderInvalid } from '../../commands/acme-order/mark-order-invalid.js';
import type { StepRun } from '../../commands/acme-order/order-stream.js';
import { processOrder } from '../../commands/acme-order/process-order.js';
import { retryOrder } from '../../commands/acme-order/retry-order.js';
import { revokeCertificate } from '../../commands/acme-order/revoke-certificate.js';
import { fetchAuthorizations, syncAuthorization, syncChallenge, syncOrder } from '../../commands/acme-order/sync-order.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { createOrderFromBody, isCsrDownload, orderDepsOf, orderEvents, sendCsr, settleSteps, statusFor, stepJson, type StepOutcome } from '../acme-order-answers.js';
import type { AppDeps } from '../app-deps.js';
import { authorizationJson, challengeJson, findAuthorization, findChallenge, findOrderView, listAuthorizations, listChallenges, listOrders, listRateLimits } from '../queries/acme-orders.js';
import {
  authorizationListQuery, challengeListQuery, markInvalidBody, orderListQuery, processBody, rateLimitListQuery, retryBody, revokeBody,
} from '../schemas/acme-order.schema.js';
import { idParam, parseOrThrow } from '../schemas/certificate.schema.js';

const idOf = (req: Request, name = 'id') => parseOrThrow(idParam, req.params[name]);

/**
 * ACME orders, authorizations and challenges: native API (/api/v1). Step routes answer with the
 * order as the read model has it after the step (read-your-writes), the steps that ran and the
 * next one; a step the CA refused is `result: "error"` with its problem (429 when rate-limited).
 */
export function acmeOrdersRoutes(deps: AppDeps): Router {
  const router = Router();
  const body = express.json({ limit: '64kb' });
  const orderDeps = () => orderDepsOf(deps);

  const answer = async (res: Response, orderId: string, outcome: StepOutcome, ok = 200) => {
    const order = await findOrderView(deps.db, orderId);
    if (!order) throw new NotFoundError(`ACME order ${orderId} not found`);
    const failed = outcome.failed !== undefined || order.status === 'invalid' || order.is_marked_invalid;
    res.status(statusFor(res, outcome, ok)).json({ result: failed ? 'error' : 'success', order, steps: outcome.runs.map(stepJson), next_step: outcome.next });
  };
  const stepRoute = (path: string, run: (orderId: string, req: Request) => Promise<StepRun[]>) => {
    router.post(path, body, async (req, res) => {
      const orderId = idOf(req);
      const runs = await run(orderId, req);
      await answer(res, orderId, await settleSteps(deps, orderId, runs));
    });
  };

  router.post('/acme-orders', body, async (req, res) => {
    const created = await createOrderFromBody(deps, req.body, 'api');
    await answer(res, created.orderId, await settleSteps(deps, created.orderId, created.report.steps), 201);
  });

  router.get('/acme-orders', async (req, res) => {
    const q = parseOrThrow(orderListQuery, req.query);
    res.json(await listOrders(deps.db, {
      status: q.status, acme_account_id: q.account_id, active: q.active, certificate_id: q.certificate_id, name_contains: q.name_contains,
    }, q, q.sort ? { by: q.sort, dir: q.dir ?? 'desc' } : undefined));
  });

  router.get('/acme-orders/:id', async (req, res) => {
    const order = await findOrderView(deps.db, idOf(req));
    if (!order) throw new NotFoundError(`ACME order ${req.params.id} not found`);
    res.json(order);
  });

  router.get('/acme-orders/:id/exchanges', async (req, res) => {
    const items = await orderEvents(deps, idOf(req), 'AcmeExchangeRecorded');
    res.json({ items, total: items.length });
  });
  router.get('/acme-orders/:id/events', async (req, res) => {
    const items = await orderEvents(deps, idOf(req));
    res.json({ items, total: items.length });
  });

  router.get('/acme-orders/:id/:file', async (req, res, next) => {
    const file = String(req.params.file);
    if (!isCsrDownload(file) || file === 'csr.csr') return next();
    await sendCsr(deps, res, { orderId: idOf(req) }, file);
  });

  stepRoute('/acme-orders/:id/process', async (orderId, req) => {
    const { step } = parseOrThrow(processBody, req.body ?? {});
    return (await processOrder(orderDeps(), orderId, step ? { step } : {}, { actor: 'api' })).steps;
  });
  stepRoute('/acme-orders/:id/sync', async (orderId) => [await syncOrder(orderDeps(), orderId, {}, { actor: 'api' })]);
  stepRoute('/acme-orders/:id/sync-authorizations', async (orderId) => [await fetchAuthorizations(orderDeps(), orderId, { all: true }, { actor: 'api' })]);
  stepRoute('/acme-orders/:id/finalize', async (orderId) => finalizeOrder(orderDeps(), orderId, { actor: 'api' }));
  stepRoute('/acme-orders/:id/download', async (orderId) => [await downloadCertificate(orderDeps(), orderId, { actor: 'api' })]);
  stepRoute('/acme-orders/:id/deactivate-authorizations', async (orderId) => [
    await deactivateAuthorizations(orderDeps(), orderId, { reason: 'requested' }, { actor: 'api' }),
  ]);

  router.post('/acme-orders/:id/mark-invalid', body, async (req, res) => {
    const orderId = idOf(req);
    const mark = parseOrThrow(markInvalidBody, req.body ?? {});
    const handled = await markOrderInvalid(orderDeps(), orderId, { reason: mark.reason, actor: mark.actor ? `api:${mark.actor}` : 'api' });
    await answer(res, orderId, await settleSteps(deps, orderId, [], handled.position));
  });

  router.post('/acme-orders/:id/retry', body, async (req, res) => {
    const { process } = parseOrThrow(retryBody, req.body ?? {});
    const created = await retryOrder(orderDeps(), idOf(req), process ? { processing: process } : {}, { actor: 'api' });
    await answer(res, created.orderId, await settleSteps(deps, created.orderId, created.report.steps), 201);
  });

  router.get('/acme-authorizations', async (req, res) => {
    const q = parseOrThrow(authorizationListQuery, req.query);
    const { rows, challenges, total } = await listAuthorizations(deps.db, { status: q.status }, q);
    res.json({ items: rows.map((r) => authorizationJson(r, challenges)), total, limit: q.limit, offset: q.offset });
  });
  router.get('/acme-authorizations/:id', async (req, res) => {
    const found = await findAuthorization(deps.db, idOf(req));
    if (!found) throw new NotFoundError(`ACME authorization ${req.params.id} not found`);
    res.json(authorizationJson(found.row, found.challenges));
  });
  const authorizationStep = (path: string, run: (orderId: string, authorizationId: string) => Promise<StepRun>) => {
    router.post(path, async (req, res) => {
      const authorizationId = idOf(req);
      const orderId = await orderOfAuthorization(deps, authorizationId);
      const outcome = await settleSteps(deps, orderId, [await run(orderId, authorizationId)]);
      const found = await findAuthorization(deps.db, authorizationId);
      res.status(statusFor(res, outcome, 200)).json({
        result: outcome.failed ? 'error' : 'success', authorization: found && authorizationJson(found.row, found.challenges), steps: outcome.runs.map(stepJson),
      });
    });
  };
  authorizationStep('/acme-authorizations/:id/sync', (orderId, id) => syncAuthorization(orderDeps(), orderId, id, { actor: 'api' }));
  authorizationStep('/acme-authorizations/:id/deactivate', (orderId, id) => deactivateAuthorizations(orderDeps(), orderId, { reason: 'requested', authorizationIds: [id] }, { actor: 'api' }));

  router.get('/acme-challenges', async (req, res) => {
    const q = parseOrThrow(challengeListQuery, req.query);
    const { rows, total } = await listChallenges(deps.db, { status: q.status, type: q.type }, q);
    res.json({ items: rows.map(challengeJson), total, limit: q.limit, offset: q.offset });
  });
  router.get('/acme-challenges/:id', async (req, res) => {
    const row = await findChallenge(deps.db, idOf(req));
    if (!row) throw new NotFoundError(`ACME challenge ${req.params.id} not found`);
    res.json(challengeJson(row));
  });
  const challengeStep = (path: string, run: (orderId: string, challengeId: string) => Promise<StepRun[]>) => {
    router.post(path, async (req, res) => {
      const challengeId = idOf(req);
      const orderId = await orderOfChallenge(deps, challengeId);
      const outcome = await settleSteps(deps, orderId, await run(orderId, challengeId));
      const row = await findChallenge(deps.db, challengeId);
      res.status(statusFor(res, outcome, 200)).json({ result: outcome.failed ? 'error' : 'success', challenge: row && challengeJson(row), steps: outcome.runs.map(stepJson) });
    });
  };
  challengeStep('/acme-challenges/:id/sync', async (orderId, id) => [await syncChallenge(orderDeps(), orderId, id, { actor: 'api' })]);
  challengeStep('/acme-challenges/:id/trigger', (orderId, id) => triggerChallenge(orderDeps(), orderId, id, { actor: 'api' }));

  router.get('/acme-rate-limits', async (req, res) => {
    const q = parseOrThrow(rateLimitListQuery, req.query);
    res.json(await listRateLimits(deps.db, { active: q.active, acme_account_id: q.account_id }, deps.now(), q));
  });

  router.post('/certificates/:id/revoke-acme', body, async (req, res) => {
    const input = parseOrThrow(revokeBody, req.body ?? {});
    const actor = input.actor ? `api:${input.actor}` : 'api';
    const outcome = await revokeCertificate(orderDepsOf(deps), idOf(req), {
      reasonCode: input.reason_code, signWith: input.sign_with, accountId: input.account_id, acmeServerId: input.acme_server_id, actor,
    }, { actor });
    if (outcome.position !== null) await deps.projections.waitFor(outcome.position, { timeoutMs: 30_000 });
    res.json({
      result: 'success',
      certificate_id: req.params.id,
      acme_order_id: outcome.orderId,
      already_revoked: outcome.alreadyRevoked,
      changed: outcome.changed,
      latest_for_domains: outcome.latestForDomains,
    });
  });

  return router;
}
