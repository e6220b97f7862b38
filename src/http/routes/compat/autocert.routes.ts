/**
 * The peter_sslers paths of issuance on request: /api/domain/autocert.json (as lua-resty-peter_sslers
 * posts it: form `domain_name`), /api/domain/certificate-if-needed.json and /queue-domains/*.json.
 * Forms come as `curl --form` (multipart) or urlencoded.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { autocert } from '../../../commands/autocert/autocert.js';
import { certificateIfNeeded } from '../../../commands/autocert/certificate-if-needed.js';
import { addToDomainQueue, type QueueOutcome } from '../../../commands/domain-queue/add-domains.js';
import { loadDomainQueue, processDomainQueue } from '../../../commands/domain-queue/process-queue.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { compatAutocertJson, compatDomainResults } from '../../queries/autocert-answers.js';
import { domainPayload } from '../../queries/config-payload.js';
import { primeDomainPayload } from '../../redis-write-through.js';
import { compatCertificateIfNeededForm, compatDomainQueueAddForm, compatDomainQueueProcessForm } from '../../schemas/autocert.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { multipartFields } from '../../upload.js';
import { ValidationError } from '../../../domain/shared/errors.js';

const ACTOR = 'peter_sslers';
const flag = (value: unknown): boolean => value === '1' || value === 'true';
const FIELDS = [
  'domain_name', 'domain_names', 'domain_names_http01', 'acme_account_id', 'account_key_option__primary', 'account_key_existing__primary',
  'private_key_option__primary', 'private_key_technology__primary', 'private_key_cycle__primary', 'acme_profile__primary', 'processing_strategy', 'note',
  'account_key_option', 'account_key_existing', 'max_domains_per_certificate',
];
const multipart = multipartFields(FIELDS);
/**
 * lua-resty-peter_sslers posts `domain_name=<name>` with no Content-Type at all: any non-multipart
 * body is read as a urlencoded form.
 */
const urlencoded = express.urlencoded({ extended: false, limit: '64kb', type: () => true });
/** Form fields peter_sslers accepts that change nothing here (the account is named by id). */
const IGNORED = ['account_key_option__primary', 'private_key_option__primary', 'note', 'account_key_option'];

async function readForm(req: Request, res: Response): Promise<Record<string, string>> {
  const run = (middleware: RequestHandler) => new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  let form: Record<string, string>;
  if (req.is('multipart/form-data')) {
    await run(multipart);
    form = Object.fromEntries(Object.entries(req.uploads ?? {}).map(([name, bytes]) => [name, bytes.toString('utf8')]));
  } else {
    await run(urlencoded);
    form = { ...((req.body ?? {}) as Record<string, string>) };
  }
  for (const name of IGNORED) delete form[name];
  return form;
}

/** peter_sslers' names for the queue outcomes. */
const QUEUE_STATUS: Record<QueueOutcome, string> = {
  queued: 'queued', activated: 'existing.activated', active: 'existing.active', already_queued: 'already_queued', blocklisted: 'blocklisted',
};

export function peterSslersAutocertRoutes(deps: AppDeps): Router {
  const router = Router();
  const issuing = () => ({ ...orderDepsOf(deps), autocertNames: deps.autocertNames });

  router.post('/api/domain/autocert.json', async (req, res) => {
    const form = await readForm(req, res);
    if (typeof form.domain_name !== 'string' || form.domain_name.trim() === '') throw new ValidationError({ domain_name: 'Missing value' });
    const result = await autocert(issuing(), { domainName: form.domain_name }, { actor: ACTOR });
    const body = await compatAutocertJson(deps, result);
    // As config.json: `openresty=1` (which the lua client sends) also primes Redis for nginx.
    if (flag(req.query.openresty) && deps.redis && result.outcome !== 'failed') {
      const payload = await domainPayload(deps, result.domainName, false);
      if (payload) await primeDomainPayload(deps, payload);
    }
    res.json(body);
  });

  router.post('/api/domain/certificate-if-needed.json', async (req, res) => {
    const form = parseOrThrow(compatCertificateIfNeededForm, await readForm(req, res));
    const results = await certificateIfNeeded(issuing(), {
      domainNames: [form.domain_name],
      accountId: form.account_key_existing__primary ?? form.acme_account_id,
      keyTechnology: form.private_key_technology__primary,
      keyPolicy: form.private_key_cycle__primary,
      profile: form.acme_profile__primary || undefined,
    }, { actor: ACTOR });
    res.json({ result: 'success', domain_results: compatDomainResults(results) });
  });

  router.get('/queue-domains/all.json', async (_req, res) => {
    const queue = await loadDomainQueue(deps.store);
    res.json({ QueueDomains: queue.queued.map((domain_name) => ({ domain_name, is_active: true })), QueueDomains_count: queue.queued.length });
  });

  router.post('/queue-domains/add.json', async (req, res) => {
    const form = parseOrThrow(compatDomainQueueAddForm, await readForm(req, res));
    const names = form.domain_names_http01 ?? form.domain_names;
    if (!names) throw new ValidationError({ domain_names_http01: 'Missing value' });
    const added = await addToDomainQueue(issuing(), names, { actor: ACTOR });
    if (added.position !== null) await deps.projections.waitFor(added.position, { timeoutMs: 30_000 });
    res.json({ result: 'success', domains: Object.fromEntries(Object.entries(added.outcomes).map(([name, outcome]) => [name, QUEUE_STATUS[outcome]])) });
  });

  router.post('/queue-domains/process.json', async (req, res) => {
    const form = parseOrThrow(compatDomainQueueProcessForm, await readForm(req, res));
    const batch = await processDomainQueue(orderDepsOf(deps), {
      accountId: form.account_key_existing ?? form.acme_account_id, max: form.max_domains_per_certificate,
    }, { actor: ACTOR });
    if (!batch) {
      res.json({ result: 'error', error: 'No items in the Domain Queue to process' });
      return;
    }
    res.json(batch.ok
      ? { result: 'success', AcmeOrder: { id: batch.orderId, certificate_signed_id: batch.certificateId, domains: batch.domainNames } }
      : { result: 'error', error: batch.reason, ...(batch.orderId ? { AcmeOrder: { id: batch.orderId } } : {}) });
  });

  return router;
}
