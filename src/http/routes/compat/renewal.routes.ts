import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { CommandContext } from '../../../commands/handle.js';
import { attemptSiteAwareRenewal } from '../../../commands/site/renewed.js';
import { editRenewalConfiguration, setRenewalConfigurationActive } from '../../../commands/renewal/change-renewal-configuration.js';
import { createRenewalConfiguration, type IssuerInput } from '../../../commands/renewal/create-renewal-configuration.js';
import { processRenewalQueue, updateRenewalQueue } from '../../../commands/renewal/queue.js';
import { getSystemPolicy, setSystemPolicy } from '../../../commands/renewal/system-policy.js';
import { ValidationError } from '../../../domain/shared/errors.js';
import { SYSTEM_POLICY_NAMES, type SystemPolicyName } from '../../../domain/system-policy/policy.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { compatPagination, PETER_SSLERS_PAGE_SIZE } from '../../queries/peter-sslers-json.js';
import { listRenewalConfigurations, renewalConfigurationJson, renewalLineage } from '../../queries/renewal-configurations.js';
import { idParam, parseOrThrow } from '../../schemas/certificate.schema.js';
import { pageNumber } from '../../schemas/catalog.schema.js';
import { createRenewalConfigurationBody, systemPolicyName } from '../../schemas/renewal.schema.js';
import { multipartFields } from '../../upload.js';
import { attemptJson, renewalAnswers, systemPolicyJson } from '../renewal.routes.js';

const CONTEXT: CommandContext = { actor: 'peter_sslers' };
const urlencoded = express.urlencoded({ extended: false, limit: '64kb' });

/** peter_sslers clients post `curl --form` (multipart) or urlencoded forms; unknown fields are refused. */
function formReader(fields: readonly string[]) {
  const multipart = multipartFields(fields);
  return async (req: Request, res: Response): Promise<Record<string, string>> => {
    const run = (middleware: RequestHandler) =>
      new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    if (req.is('multipart/form-data')) {
      await run(multipart);
      return Object.fromEntries(Object.entries(req.uploads ?? {}).map(([k, v]) => [k, v.toString('utf8').trim()]));
    }
    await run(urlencoded);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((name) => !fields.includes(name));
    if (unknown.length > 0) throw new ValidationError(Object.fromEntries(unknown.map((name) => [name, 'unknown field'])));
    return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, String(value).trim()]));
  };
}

const ISSUER_FIELDS = ['acme_account_id', 'private_key_technology', 'private_key_cycle', 'acme_profile'] as const;
const sideFields = (side: 'primary' | 'backup') => ISSUER_FIELDS.map((f) => `${f}__${side}`);
const blank = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** peter_sslers' `x__primary` / `x__backup` form fields as one issuer (undefined when none is given). */
function issuerFromForm(form: Record<string, string>, side: 'primary' | 'backup'): IssuerInput | undefined {
  const accountId = blank(form[`acme_account_id__${side}`]);
  const input: IssuerInput = {
    accountId: accountId === undefined ? undefined : parseOrThrow(idParam, accountId),
    keyTechnology: blank(form[`private_key_technology__${side}`]),
    keyPolicy: blank(form[`private_key_cycle__${side}`]),
    ...(form[`acme_profile__${side}`] !== undefined ? { profile: blank(form[`acme_profile__${side}`]) ?? null } : {}),
  };
  return Object.values(input).some((v) => v !== undefined) ? input : undefined;
}

const configurationEnvelope = (configuration: unknown) => ({ RenewalConfiguration: configuration });

/**
 * peter_sslers' renewal configuration, system configuration (enrollment policy) and certificate
 * queue paths. JSON only (`.json`); field names as peter_sslers' forms name them.
 */
export function peterSslersRenewalRoutes(deps: AppDeps): Router {
  const router = Router();
  const { settled, configuration } = renewalAnswers(deps);
  const configDeps = () => ({ store: deps.store, db: deps.db, now: deps.now, acme: deps.acme });
  const idOf = (req: Request) => parseOrThrow(idParam, req.params.id);

  const lists = [['/renewal-configurations/all.json', undefined], ['/renewal-configurations/active.json', true], ['/renewal-configurations/disabled.json', false], ['/renewal-configurations.json', undefined]] as const;
  // Fixed paths before the paged ones: `/renewal-configurations/:page.json` would swallow `active.json`.
  for (const [paged, [path, active]] of [...lists.map((l) => [false, l] as const), ...lists.map((l) => [true, l] as const)]) {
    const list = async (req: Request, res: Response) => {
      const raw = String(req.params.page ?? '1');
      if (!pageNumber.test(raw) || Number(raw) < 1) throw new ValidationError({ page: 'must be a page number' });
      const page = Number(raw);
      const { items, total } = await listRenewalConfigurations(deps.db, { active, limit: PETER_SSLERS_PAGE_SIZE, offset: (page - 1) * PETER_SSLERS_PAGE_SIZE });
      res.json({ RenewalConfigurations: items.map(renewalConfigurationJson), pagination: compatPagination(total, page) });
    };
    router.get(paged ? path.replace('.json', '/:page.json') : path, list);
  }

  const newForm = formReader(['domain_names_http01', 'domain_names_dns01', ...sideFields('primary'), ...sideFields('backup'), 'is_auto_renew']);
  router.post('/renewal-configuration/new.json', async (req, res) => {
    const form = await newForm(req, res);
    const parsed = parseOrThrow(createRenewalConfigurationBody, {
      ...(form.domain_names_http01 ? { domain_names_http01: form.domain_names_http01 } : {}),
      ...(form.domain_names_dns01 ? { domain_names_dns01: form.domain_names_dns01 } : {}),
    });
    const { configurationId } = await createRenewalConfiguration(configDeps(), {
      identifiers: parsed.identifiers,
      primary: issuerFromForm(form, 'primary'),
      backup: issuerFromForm(form, 'backup'),
      isAutoRenew: form.is_auto_renew === undefined ? undefined : ['1', 'true', 'on'].includes(form.is_auto_renew),
    }, CONTEXT);
    await settled(configurationId);
    res.json({ result: 'success', ...configurationEnvelope(await configuration(configurationId)) });
  });
  router.get('/renewal-configuration/:id.json', async (req, res) => {
    res.json(configurationEnvelope(await configuration(idOf(req))));
  });
  router.get('/renewal-configuration/:id/lineages.json', async (req, res) => {
    res.json({ lineages: await renewalLineage(deps.db, idOf(req)) });
  });
  const markForm = formReader(['action']);
  router.post('/renewal-configuration/:id/mark.json', async (req, res) => {
    const id = idOf(req);
    const { action } = await markForm(req, res);
    if (action !== 'active' && action !== 'inactive') throw new ValidationError({ action: 'must be active or inactive' });
    await setRenewalConfigurationActive(configDeps(), id, action === 'active', CONTEXT);
    await settled(id);
    res.json({ result: 'success', ...configurationEnvelope(await configuration(id)) });
  });
  const editForm = formReader(['domain_names_http01', 'domain_names_dns01', ...sideFields('primary'), ...sideFields('backup')]);
  router.post('/renewal-configuration/:id/new-configuration.json', async (req, res) => {
    const id = idOf(req);
    const form = await editForm(req, res);
    const names = form.domain_names_http01 || form.domain_names_dns01
      ? parseOrThrow(createRenewalConfigurationBody, {
        ...(form.domain_names_http01 ? { domain_names_http01: form.domain_names_http01 } : {}),
        ...(form.domain_names_dns01 ? { domain_names_dns01: form.domain_names_dns01 } : {}),
      }).identifiers
      : undefined;
    const { configurationId } = await editRenewalConfiguration(configDeps(), id, {
      identifiers: names, primary: issuerFromForm(form, 'primary'), backup: issuerFromForm(form, 'backup'),
    }, CONTEXT);
    await settled(id);
    await settled(configurationId);
    res.json({ result: 'success', ...configurationEnvelope(await configuration(configurationId)) });
  });
  router.post('/renewal-configuration/:id/new-order.json', async (req, res) => {
    const id = idOf(req);
    const outcome = await attemptSiteAwareRenewal(orderDepsOf(deps), id, 'manual', CONTEXT);
    await settled(id);
    const answer = attemptJson(outcome);
    res.json({ result: outcome.claimed && outcome.ok ? 'success' : 'error', ...answer, AcmeOrder: { id: outcome.claimed ? outcome.orderId : null } });
  });

  // System configurations (newer peter_sslers: enrollment policies): global, autocert, certificate-if-needed.
  for (const [plural, single] of [['/system-configurations.json', '/system-configuration'], ['/enrollment-policies.json', '/enrollment-policy']] as const) {
    router.get(plural, async (_req, res) => {
      const policies = await Promise.all(SYSTEM_POLICY_NAMES.map(async (name) => {
        const policy = await getSystemPolicy(deps.db, name);
        return policy ? systemPolicyJson(policy) : { name, is_configured: false };
      }));
      res.json({ SystemConfigurations: policies });
    });
    router.get(`${single}/:name.json`, async (req, res) => {
      const name = parseOrThrow(systemPolicyName, req.params.name);
      const policy = await getSystemPolicy(deps.db, name);
      res.json({ SystemConfiguration: policy ? systemPolicyJson(policy) : { name, is_configured: false } });
    });
    const policyForm = formReader([...sideFields('primary'), ...sideFields('backup')]);
    router.post(`${single}/:name/edit.json`, async (req, res) => {
      const name: SystemPolicyName = parseOrThrow(systemPolicyName, req.params.name);
      const form = await policyForm(req, res);
      const side = (s: 'primary' | 'backup') => {
        const input = issuerFromForm(form, s);
        if (!input) return null;
        const problems = Object.fromEntries(ISSUER_FIELDS.slice(0, 3).filter((f) => !blank(form[`${f}__${s}`])).map((f) => [`${f}__${s}`, 'is required']));
        if (Object.keys(problems).length > 0) throw new ValidationError(problems);
        return { accountId: input.accountId!, keyTechnology: input.keyTechnology!, keyPolicy: input.keyPolicy!, profile: input.profile ?? null };
      };
      const primary = side('primary');
      if (!primary) throw new ValidationError({ acme_account_id__primary: 'is required' });
      const { position } = await setSystemPolicy(deps, name, { primary, backup: side('backup') }, CONTEXT);
      if (position !== null) await deps.projections.waitFor(position);
      res.json({ result: 'success', SystemConfiguration: systemPolicyJson((await getSystemPolicy(deps.db, name))!) });
    });
  }

  // The certificate (renewal) queue: update finds what is due; process renews one item per call.
  router.post('/api/queue-certificates/update.json', async (_req, res) => {
    const update = await updateRenewalQueue(configDeps(), {}, CONTEXT);
    if (update.position !== null) await deps.projections.waitFor(update.position);
    res.json({ result: 'success', results: { queued: update.queued.length }, queued: update.queued });
  });
  router.post('/api/queue-certificates/process.json', async (_req, res) => {
    const { processed, remaining } = await processRenewalQueue(orderDepsOf(deps), CONTEXT);
    if (processed) await settled(processed.configurationId);
    res.json({ result: 'success', processed: processed ? attemptJson(processed) : null, remaining });
  });
  return router;
}
