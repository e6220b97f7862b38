import express, { Router, type Request } from 'express';
import type { CommandContext } from '../../commands/handle.js';
import type { AttemptOutcome } from '../../commands/renewal/attempt.js';
import { attemptSiteAwareRenewal } from '../../commands/site/renewed.js';
import { editRenewalConfiguration, setRenewalConfigurationActive } from '../../commands/renewal/change-renewal-configuration.js';
import { createRenewalConfiguration } from '../../commands/renewal/create-renewal-configuration.js';
import { processRenewalQueue, processRenewalQueueLoop, updateRenewalQueue } from '../../commands/renewal/queue.js';
import { runRenewals } from '../../commands/renewal/run.js';
import { getSystemPolicy, listSystemPolicies, setSystemPolicy, type SystemPolicy } from '../../commands/renewal/system-policy.js';
import { renewalConfigurationStream } from '../../domain/renewal-configuration/events.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { orderDepsOf } from '../acme-order-answers.js';
import type { AppDeps } from '../app-deps.js';
import { findRenewalConfiguration, listRenewalConfigurations, renewalConfigurationJson, renewalLineage, renewalQueueItems } from '../queries/renewal-configurations.js';
import { idParam, parseOrThrow } from '../schemas/certificate.schema.js';
import {
  createRenewalConfigurationBody, editRenewalConfigurationBody, issuerInput, renewalConfigurationListQuery, renewalQueueProcessBody, renewalRunBody,
  systemPolicyBody, systemPolicyName,
} from '../schemas/renewal.schema.js';

const CONTEXT: CommandContext = { actor: 'api' };

export function systemPolicyJson(policy: SystemPolicy) {
  const side = (c: SystemPolicy['primary'] | null) => c && { account_id: c.accountId, key_technology: c.keyTechnology, key_policy: c.keyPolicy, profile: c.profile };
  return { name: policy.name, is_configured: true, primary: side(policy.primary), backup: side(policy.backup), updated_at: policy.updatedAt };
}

export function attemptJson(outcome: AttemptOutcome) {
  if (!outcome.claimed) return { configuration_id: outcome.configurationId, claimed: false, reason: outcome.reason };
  return outcome.ok
    ? { configuration_id: outcome.configurationId, claimed: true, result: 'success', attempt_id: outcome.attemptId, order_id: outcome.orderId, certificate_id: outcome.certificateId, used_backup: outcome.useBackup }
    : { configuration_id: outcome.configurationId, claimed: true, result: 'error', attempt_id: outcome.attemptId, order_id: outcome.orderId, used_backup: outcome.useBackup, message: outcome.message };
}

/** Helpers shared with the peter_sslers routes. */
export function renewalAnswers(deps: AppDeps) {
  /** Read-your-writes: the configuration's newest event is in the read model before we read it. */
  const settled = async (configurationId: string) => {
    const last = (await deps.store.readStream(renewalConfigurationStream(configurationId))).at(-1);
    if (last) await deps.projections.waitFor(last.position);
  };
  const configuration = async (id: string) => {
    const row = await findRenewalConfiguration(deps.db, id);
    if (!row) throw new NotFoundError(`Renewal configuration ${id} not found`);
    return { ...renewalConfigurationJson(row), lineage: await renewalLineage(deps.db, id) };
  };
  return { settled, configuration };
}

/**
 * Renewal configurations, system policies, the renewal queue and run: native API (/api/v1).
 * Configurations are never edited in place: `edit` makes a new one and retires the old.
 */
export function renewalRoutes(deps: AppDeps): Router {
  const router = Router();
  const body = express.json({ limit: '64kb' });
  const idOf = (req: Request) => parseOrThrow(idParam, req.params.id);
  const { settled, configuration } = renewalAnswers(deps);
  const configDeps = () => ({ store: deps.store, db: deps.db, now: deps.now, acme: deps.acme });

  router.get('/renewal-configurations', async (req, res) => {
    const q = parseOrThrow(renewalConfigurationListQuery, req.query);
    const { items, total } = await listRenewalConfigurations(deps.db, { active: q.active, accountId: q.account_id, limit: q.limit, offset: q.offset });
    res.json({ items: items.map(renewalConfigurationJson), total, limit: q.limit, offset: q.offset });
  });
  router.post('/renewal-configurations', body, async (req, res) => {
    const input = parseOrThrow(createRenewalConfigurationBody, req.body ?? {});
    const { configurationId } = await createRenewalConfiguration(configDeps(), {
      identifiers: input.identifiers,
      primary: issuerInput(input.primary),
      backup: input.backup === null ? null : issuerInput(input.backup),
      isAutoRenew: input.is_auto_renew,
      policy: input.policy,
    }, CONTEXT);
    await settled(configurationId);
    res.status(201).json({ result: 'success', renewal_configuration: await configuration(configurationId) });
  });
  router.get('/renewal-configurations/:id', async (req, res) => {
    res.json({ renewal_configuration: await configuration(idOf(req)) });
  });
  router.post('/renewal-configurations/:id/edit', body, async (req, res) => {
    const id = idOf(req);
    const input = parseOrThrow(editRenewalConfigurationBody, req.body ?? {});
    const { configurationId } = await editRenewalConfiguration(configDeps(), id, {
      identifiers: input.identifiers,
      primary: issuerInput(input.primary),
      backup: input.backup === null ? null : issuerInput(input.backup),
      isAutoRenew: input.is_auto_renew,
    }, CONTEXT);
    await settled(id);
    await settled(configurationId);
    res.status(201).json({ result: 'success', renewal_configuration: await configuration(configurationId), replaced: await configuration(id) });
  });
  for (const [action, active] of [['activate', true], ['deactivate', false]] as const) {
    router.post(`/renewal-configurations/:id/${action}`, async (req, res) => {
      const id = idOf(req);
      const { changed } = await setRenewalConfigurationActive(configDeps(), id, active, CONTEXT);
      await settled(id);
      res.json({ result: 'success', changed, renewal_configuration: await configuration(id) });
    });
  }
  router.post('/renewal-configurations/:id/new-order', async (req, res) => {
    const id = idOf(req);
    const outcome = await attemptSiteAwareRenewal(orderDepsOf(deps), id, 'manual', CONTEXT);
    await settled(id);
    res.status(outcome.claimed && outcome.ok ? 201 : 200).json({ ...attemptJson(outcome), renewal_configuration: await configuration(id) });
  });

  router.get('/system-policies', async (_req, res) => {
    res.json({ items: (await listSystemPolicies(deps.db)).map(systemPolicyJson) });
  });
  router.get('/system-policies/:name', async (req, res) => {
    const name = parseOrThrow(systemPolicyName, req.params.name);
    const policy = await getSystemPolicy(deps.db, name);
    res.json({ system_policy: policy ? systemPolicyJson(policy) : { name, is_configured: false } });
  });
  router.put('/system-policies/:name', body, async (req, res) => {
    const name = parseOrThrow(systemPolicyName, req.params.name);
    const input = parseOrThrow(systemPolicyBody, req.body ?? {});
    const side = (s: NonNullable<typeof input.backup>) => ({ accountId: s.account_id, keyTechnology: s.key_technology, keyPolicy: s.key_policy, profile: s.profile });
    const { changed, position } = await setSystemPolicy(deps, name, { primary: side(input.primary), backup: input.backup ? side(input.backup) : null }, CONTEXT);
    if (position !== null) await deps.projections.waitFor(position);
    res.json({ result: 'success', changed, system_policy: systemPolicyJson((await getSystemPolicy(deps.db, name))!) });
  });

  router.get('/renewal-queue', async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    res.json({ items: await renewalQueueItems(deps.db, status, 200) });
  });
  router.post('/renewal-queue/update', async (_req, res) => {
    const update = await updateRenewalQueue(configDeps(), {}, CONTEXT);
    if (update.position !== null) await deps.projections.waitFor(update.position);
    res.json({ result: 'success', queued: update.queued });
  });
  router.post('/renewal-queue/process', body, async (req, res) => {
    const input = parseOrThrow(renewalQueueProcessBody, req.body ?? {});
    if (input.loop) {
      const outcomes = await processRenewalQueueLoop(orderDepsOf(deps), { max: input.max }, CONTEXT);
      for (const o of outcomes) await settled(o.configurationId);
      res.json({ result: 'success', processed: outcomes.map(attemptJson) });
      return;
    }
    const { processed, remaining } = await processRenewalQueue(orderDepsOf(deps), CONTEXT);
    if (processed) await settled(processed.configurationId);
    res.json({ result: 'success', processed: processed ? attemptJson(processed) : null, remaining: processed ? remaining : 0 });
  });
  router.post('/renewal-runs', body, async (req, res) => {
    const input = parseOrThrow(renewalRunBody, req.body ?? {});
    const report = await runRenewals(orderDepsOf(deps), { batchSize: input.batch_size, concurrency: input.concurrency, maxConfigurations: input.max }, CONTEXT);
    res.json({ result: 'success', considered: report.considered, renewed: report.renewed, failed: report.failed, skipped: report.skipped, outcomes: report.outcomes.map(attemptJson) });
  });
  return router;
}
