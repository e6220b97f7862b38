import { isIP } from 'node:net';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { triggerChallenge } from '../../../commands/acme-order/answer-challenges.js';
import { createAcmeOrder } from '../../../commands/acme-order/create-acme-order.js';
import { deactivateAuthorizations, orderOfAuthorization, orderOfChallenge } from '../../../commands/acme-order/deactivate-authorizations.js';
import { downloadCertificate } from '../../../commands/acme-order/download-certificate.js';
import { finalizeOrder } from '../../../commands/acme-order/finalize-order.js';
import { markOrderInvalid } from '../../../commands/acme-order/mark-order-invalid.js';
import { loadOrder, type StepRun } from '../../../commands/acme-order/order-stream.js';
import { processOrder } from '../../../commands/acme-order/process-order.js';
import { retryOrder } from '../../../commands/acme-order/retry-order.js';
import { fetchAuthorizations, syncAuthorization, syncChallenge, syncOrder } from '../../../commands/acme-order/sync-order.js';
import { NotFoundError, ValidationError } from '../../../domain/shared/errors.js';
import { errorJson, isCsrDownload, orderDepsOf, sendCsr, settleSteps } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { findAuthorization, findChallenge, findCsr, findOrderRow, listAuthorizations, listChallenges, listCsrs, listOrders, orderAuthorizations } from '../../queries/acme-orders.js';
import { compatAuthorizationJson, compatChallengeJson, compatCsrJson, compatOrderJson } from '../../queries/acme-orders-peter-sslers.js';
import { compatPagination, keyedById, PETER_SSLERS_PAGE_SIZE } from '../../queries/peter-sslers-json.js';
import { compatFreeformForm, compatMarkOrderForm } from '../../schemas/acme-order.schema.js';
import { pageNumber } from '../../schemas/catalog.schema.js';
import { idParam, parseOrThrow } from '../../schemas/certificate.schema.js';
import { multipartFields } from '../../upload.js';

const ACTOR = 'peter_sslers';
const FORM_FIELDS = [
  'acme_account_id', 'domain_names_http01', 'domain_names_dns01', 'processing_strategy', 'private_key_cycle', 'private_key_cycle__primary',
  'private_key_technology', 'private_key_technology__primary', 'action',
];
const multipart = multipartFields(FORM_FIELDS);
const urlencoded = express.urlencoded({ extended: false, limit: '64kb' });

/** `curl --form` (multipart) or urlencoded; both become plain strings. */
async function readForm(req: Request, res: Response): Promise<Record<string, string>> {
  const run = (middleware: RequestHandler) => new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  if (req.is('multipart/form-data')) {
    await run(multipart);
    return Object.fromEntries(Object.entries(req.uploads ?? {}).map(([name, bytes]) => [name, bytes.toString('utf8')]));
  }
  await run(urlencoded);
  return (req.body ?? {}) as Record<string, string>;
}

const pageAt = (page: number) => ({ limit: PETER_SSLERS_PAGE_SIZE, offset: (page - 1) * PETER_SSLERS_PAGE_SIZE });
const idOf = (req: Request) => parseOrThrow(idParam, req.params.id);

/** `{path}.json` and `{path}/{page}.json`. */
function paginated(router: Router, path: string, load: (req: Request, page: number) => Promise<Record<string, unknown>>): void {
  router.get(`${path}.json`, async (req, res) => { res.json(await load(req, 1)); });
  router.get(`${path}/:page.json`, async (req, res, next) => {
    const page = String(req.params.page);
    if (!pageNumber.test(page)) return next();
    res.json(await load(req, Math.max(1, Number(page))));
  });
}

/** ACME orders, authorizations, challenges and certificate requests on the peter_sslers paths. */
export function peterSslersAcmeOrdersRoutes(deps: AppDeps): Router {
  const router = Router();
  const admin = deps.adminPrefix;
  const orderDeps = () => orderDepsOf(deps);

  const orderJson = async (orderId: string) => {
    const row = await findOrderRow(deps.db, orderId);
    if (!row) throw new NotFoundError('the order was not found');
    const { authorizations, challenges } = await orderAuthorizations(deps.db, orderId);
    return compatOrderJson(row, admin, authorizations.map((a) => a.id), challenges.some((c) => c.triggered_at !== null));
  };
  /** peter_sslers answers `{"result", "operation", "AcmeOrder"}`, with `error` (text) when the step failed. */
  const orderOperation = (path: string, operation: string, run: (orderId: string, req: Request, res: Response) => Promise<StepRun[]>) => {
    router.post(path, async (req, res) => {
      const orderId = idOf(req);
      await loadOrder(deps.store, orderId);
      const outcome = await settleSteps(deps, orderId, await run(orderId, req, res));
      const order = await orderJson(orderId);
      res.json(outcome.failed
        ? { result: 'error', operation, error: errorJson(outcome.failed.error).message, AcmeOrder: order }
        : { result: 'success', operation, AcmeOrder: order });
    });
  };

  router.get('/acme-orders.json', (_req, res) => { res.redirect(303, `${admin}/acme-orders/active.json`); });
  for (const [facet, active] of [['all', undefined], ['active', true], ['finished', false]] as const) {
    paginated(router, `/acme-orders/${facet}`, async (_req, page) => {
      const list = await listOrders(deps.db, { active }, pageAt(page));
      const orders = await Promise.all(list.items.map((o) => orderJson(o.id)));
      return { AcmeOrders: orders, pagination: compatPagination(list.total, page) };
    });
  }
  router.post('/acme-orders/active/acme-server/sync.json', async (_req, res) => {
    const list = await listOrders(deps.db, { active: true }, { limit: 1000, offset: 0 });
    const ok: string[] = [];
    const failed: string[] = [];
    for (const order of list.items.filter((o) => o.order_url !== null)) {
      const run = await syncOrder(orderDeps(), order.id, {}, { actor: ACTOR });
      (run.ok ? ok : failed).push(order.id);
    }
    res.json({ result: 'success', 'AcmeOrderIds.success': ok, 'AcmeOrderIds.error': failed });
  });

  router.post('/acme-order/new/freeform.json', async (req, res) => {
    const form = parseOrThrow(compatFreeformForm, await readForm(req, res));
    const identifiers = [
      ...(form.domain_names_http01 ?? []).map((value) => ({ value, challengeType: 'http-01' as const })),
      ...(form.domain_names_dns01 ?? []).map((value) => ({ value, challengeType: 'dns-01' as const })),
    ].map((i) => ({ ...i, type: isIP(i.value) ? 'ip' as const : 'dns' as const }));
    if (identifiers.length === 0) throw new ValidationError({ domain_names_http01: 'submit domain_names_http01 or domain_names_dns01' });
    const processing = form.processing_strategy === 'process_single' ? 'all' : form.processing_strategy === 'process_multi' ? 'step' : 'none';
    const created = await createAcmeOrder(orderDeps(), {
      accountId: form.acme_account_id,
      identifiers,
      keyPolicy: form.private_key_cycle ?? form.private_key_cycle__primary,
      keyTechnology: form.private_key_technology ?? form.private_key_technology__primary,
      processing,
    }, { actor: ACTOR });
    const outcome = await settleSteps(deps, created.orderId, created.report.steps);
    const order = await orderJson(created.orderId);
    res.json(outcome.failed ? { result: 'error', error: errorJson(outcome.failed.error).message, AcmeOrder: order } : { result: 'success', AcmeOrder: order });
  });

  router.get('/acme-order/:id.json', async (req, res) => { res.json({ AcmeOrder: await orderJson(idOf(req)) }); });
  router.get('/acme-order/:id/audit.json', async (req, res) => {
    const orderId = idOf(req);
    const order = await orderJson(orderId);
    const { authorizations, challenges } = await orderAuthorizations(deps.db, orderId);
    res.json({
      result: 'success',
      AuditReport: {
        AcmeOrder: order,
        AcmeAccount: { id: order.AcmeAccount.id },
        PrivateKey: order.PrivateKey,
        UniqueFQDNSet: { id: order.unique_fqdn_set_id },
        AcmeAuthorizations: authorizations.map((a) => ({
          AcmeAuthorization: { id: a.id, acme_status_authorization: a.status, timestamp_updated: a.updated_at.toISOString() },
          AcmeChallenges: Object.fromEntries(challenges.filter((c) => c.acme_authorization_id === a.id).map((c) => [c.type, {
            id: c.id, acme_status_challenge: c.status, timestamp_updated: c.updated_at.toISOString(), keyauthorization: c.key_authorization,
          }])),
          Domain: { domain_name: a.identifier_value },
        })),
      },
    });
  });

  orderOperation('/acme-order/:id/acme-process.json', 'acme-process', async (orderId) => {
    const order = await loadOrder(deps.store, orderId);
    return (await processOrder(orderDeps(), orderId, { all: order.processing === 'all' }, { actor: ACTOR })).steps;
  });
  orderOperation('/acme-order/:id/acme-finalize.json', 'finalize-order', (orderId) => finalizeOrder(orderDeps(), orderId, { actor: ACTOR }));
  orderOperation('/acme-order/:id/acme-server/sync.json', 'acme-server/sync', async (orderId) => [await syncOrder(orderDeps(), orderId, {}, { actor: ACTOR })]);
  orderOperation('/acme-order/:id/acme-server/sync-authorizations.json', 'acme-server/sync-authorizations', async (orderId) => [
    await fetchAuthorizations(orderDeps(), orderId, { all: true }, { actor: ACTOR }),
    await syncOrder(orderDeps(), orderId, {}, { actor: ACTOR }),
  ]);
  orderOperation('/acme-order/:id/acme-server/deactivate-authorizations.json', 'acme-server/deactivate-authorizations', async (orderId) => [
    await deactivateAuthorizations(orderDeps(), orderId, { reason: 'peter_sslers deactivate-authorizations' }, { actor: ACTOR }),
    await syncOrder(orderDeps(), orderId, {}, { actor: ACTOR }),
  ]);
  orderOperation('/acme-order/:id/acme-server/download-certificate.json', 'acme-server/download-certificate', async (orderId) => [
    await downloadCertificate(orderDeps(), orderId, { actor: ACTOR }),
  ]);
  router.post('/acme-order/:id/mark.json', async (req, res) => {
    const orderId = idOf(req);
    const form = parseOrThrow(compatMarkOrderForm, await readForm(req, res));
    const handled = await markOrderInvalid(orderDeps(), orderId, { reason: `peter_sslers mark action=${form.action}`, actor: ACTOR });
    await settleSteps(deps, orderId, [], handled.position);
    res.json({ result: 'success', operation: 'mark', action: form.action, AcmeOrder: await orderJson(orderId) });
  });
  router.post('/acme-order/:id/retry.json', async (req, res) => {
    const created = await retryOrder(orderDeps(), idOf(req), {}, { actor: ACTOR });
    const outcome = await settleSteps(deps, created.orderId, created.report.steps);
    const order = await orderJson(created.orderId);
    res.json(outcome.failed ? { result: 'error', error: errorJson(outcome.failed.error).message, AcmeOrder: order } : { result: 'success', AcmeOrder: order });
  });

  paginated(router, '/acme-authorizations', async (_req, page) => {
    const { rows, challenges, total } = await listAuthorizations(deps.db, {}, pageAt(page));
    return { AcmeAuthorizations: keyedById(rows.map((r) => compatAuthorizationJson(r, challenges, admin))), pagination: compatPagination(total, page) };
  });
  const authorizationJson = async (id: string) => {
    const found = await findAuthorization(deps.db, id);
    if (!found) throw new NotFoundError('The AcmeAuthorization was not found');
    return compatAuthorizationJson(found.row, found.challenges, admin);
  };
  router.get('/acme-authorization/:id.json', async (req, res) => { res.json({ AcmeAuthorization: await authorizationJson(idOf(req)) }); });
  for (const [path, operation] of [['sync', 'acme-server/sync'], ['deactivate', 'acme-server/deactivate']] as const) {
    router.post(`/acme-authorization/:id/acme-server/${path}.json`, async (req, res) => {
      const id = idOf(req);
      const orderId = await orderOfAuthorization(deps, id);
      const run = path === 'sync'
        ? await syncAuthorization(orderDeps(), orderId, id, { actor: ACTOR })
        : await deactivateAuthorizations(orderDeps(), orderId, { reason: 'peter_sslers deactivate', authorizationIds: [id] }, { actor: ACTOR });
      const outcome = await settleSteps(deps, orderId, [run]);
      const authorization = await authorizationJson(id);
      res.json(outcome.failed ? { result: 'error', operation, error: errorJson(outcome.failed.error).message, AcmeAuthorization: authorization } : { result: 'success', operation, AcmeAuthorization: authorization });
    });
  }

  paginated(router, '/acme-challenges', async (_req, page) => {
    const { rows, total } = await listChallenges(deps.db, {}, pageAt(page));
    return { AcmeChallenges: keyedById(rows.map((r) => compatChallengeJson(r, admin))), pagination: compatPagination(total, page) };
  });
  const challengeJson = async (id: string) => {
    const row = await findChallenge(deps.db, id);
    if (!row) throw new NotFoundError('The AcmeChallenge was not found');
    return compatChallengeJson(row, admin);
  };
  router.get('/acme-challenge/:id.json', async (req, res) => { res.json({ AcmeChallenge: await challengeJson(idOf(req)) }); });
  for (const [path, operation] of [['sync', 'acme-server/sync'], ['trigger', 'acme-server/trigger']] as const) {
    router.post(`/acme-challenge/:id/acme-server/${path}.json`, async (req, res) => {
      const id = idOf(req);
      const orderId = await orderOfChallenge(deps, id);
      const runs = path === 'sync' ? [await syncChallenge(orderDeps(), orderId, id, { actor: ACTOR })] : await triggerChallenge(orderDeps(), orderId, id, { actor: ACTOR });
      const outcome = await settleSteps(deps, orderId, runs);
      const challenge = await challengeJson(id);
      res.json(outcome.failed ? { result: 'error', operation, error: errorJson(outcome.failed.error).message, AcmeChallenge: challenge } : { result: 'success', operation, AcmeChallenge: challenge });
    });
  }

  paginated(router, '/certificate-requests', async (_req, page) => {
    const { rows, total } = await listCsrs(deps.db, pageAt(page));
    return { CertificateRequests: Object.fromEntries(rows.map((r) => [r.csr_id!, compatCsrJson(r)])), pagination: compatPagination(total, page) };
  });
  router.get('/certificate-request/:id.json', async (req, res) => {
    const row = await findCsr(deps.db, { csrId: idOf(req) });
    if (!row) throw new NotFoundError('The CertificateRequest was not found');
    res.json({ CertificateRequest: compatCsrJson(row) });
  });
  router.get('/certificate-request/:id/:file', async (req, res, next) => {
    const file = String(req.params.file);
    if (!isCsrDownload(file) || file === 'csr.der') return next();
    await sendCsr(deps, res, { csrId: idOf(req) }, file);
  });

  return router;
}
