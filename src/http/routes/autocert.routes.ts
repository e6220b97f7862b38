/**
 * Native issuance on request: POST /autocert, /certificate-if-needed and the domain queue.
 * Each runs synchronously (the request waits for the CA) through the order commands.
 */
import express, { Router } from 'express';
import { autocert } from '../../commands/autocert/autocert.js';
import { certificateIfNeeded } from '../../commands/autocert/certificate-if-needed.js';
import { addToDomainQueue } from '../../commands/domain-queue/add-domains.js';
import { loadDomainQueue, processDomainQueue } from '../../commands/domain-queue/process-queue.js';
import { orderDepsOf } from '../acme-order-answers.js';
import type { AppDeps } from '../app-deps.js';
import { autocertJson, batchJson, domainResultsJson } from '../queries/autocert-answers.js';
import { autocertBody, certificateIfNeededBody, domainQueueAddBody, domainQueueProcessBody } from '../schemas/autocert.schema.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';

export function autocertRoutes(deps: AppDeps): Router {
  const router = Router();
  const json = express.json({ limit: '64kb' });
  const issuing = () => ({ ...orderDepsOf(deps), autocertNames: deps.autocertNames });

  router.post('/autocert', json, async (req, res) => {
    const body = parseOrThrow(autocertBody, req.body ?? {});
    const result = await autocert(issuing(), { domainName: body.domain_name }, { actor: 'api' });
    // A failed order is the CA's refusal: 502, like any other upstream failure.
    res.status(result.outcome === 'failed' ? 502 : result.outcome === 'issued' ? 201 : 200).json(await autocertJson(deps, result));
  });

  router.post('/certificate-if-needed', json, async (req, res) => {
    const body = parseOrThrow(certificateIfNeededBody, req.body ?? {});
    const results = await certificateIfNeeded(issuing(), {
      domainNames: body.domain_names, accountId: body.acme_account_id, keyTechnology: body.key_technology, keyPolicy: body.key_policy, profile: body.acme_profile,
    }, { actor: 'api' });
    res.json({ result: 'success', domains: domainResultsJson(results) });
  });

  router.get('/domain-queue', async (_req, res) => {
    const queue = await loadDomainQueue(deps.store);
    res.json({
      queued: queue.queued,
      processing: queue.claim ? { batch_id: queue.claim.batchId, domain_names: queue.claim.domainNames, claimed_at: queue.claim.claimedAt } : null,
      ordered: queue.ordered,
    });
  });

  router.post('/domain-queue', json, async (req, res) => {
    const body = parseOrThrow(domainQueueAddBody, req.body ?? {});
    const added = await addToDomainQueue(issuing(), body.domain_names, { actor: 'api' });
    if (added.position !== null) await deps.projections.waitFor(added.position, { timeoutMs: 30_000 });
    res.json({ result: 'success', domains: added.outcomes });
  });

  router.post('/domain-queue/process', json, async (req, res) => {
    const body = parseOrThrow(domainQueueProcessBody, req.body ?? {});
    const batch = await processDomainQueue(orderDepsOf(deps), {
      accountId: body.acme_account_id, keyTechnology: body.key_technology, max: body.max_domains_per_certificate,
    }, { actor: 'api' });
    if (!batch) {
      res.json({ result: 'success', batch: null, message: 'the domain queue is empty' });
      return;
    }
    res.status(batch.ok ? 201 : 502).json({ result: batch.ok ? 'success' : 'error', batch: batchJson(batch) });
  });

  return router;
}
