/**
 * One renewal attempt of one configuration: claim it (RenewalAttemptStarted appended with the
 * stream's expected revision — of two runners only one append succeeds), order through the
 * ordinary order commands with process `all`, then record the outcome. A failure backs off
 * (1 min, 10 min, 100 min, then daily) and after three primary failures the backup issuer is used.
 */
import { claimRefusal } from '../../domain/renewal-configuration/decider.js';
import type { CertificateFacts, RenewalAttemptStarted } from '../../domain/renewal-configuration/events.js';
import { ConcurrencyError, IllegalStateError } from '../../domain/shared/errors.js';
import { streams } from '../../domain/shared/ids.js';
import { AriError, ariCertificateIdentifier } from '../../infra/acme/ari.js';
import { ids } from '../../infra/ids.js';
import { createAcmeOrder } from '../acme-order/create-acme-order.js';
import { loadOrder } from '../acme-order/order-stream.js';
import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import type { CommandContext } from '../handle.js';
import { ariChoiceFor } from './ari-choice.js';
import type { RenewalDeps } from './deps.js';
import { loadRenewalConfiguration, recordOnConfiguration } from './stream.js';

/** An attempt older than this is presumed dead (its runner crashed) and may be taken over. */
export const STALE_ATTEMPT_MS = 60 * 60_000;

export type AttemptTrigger = 'run' | 'queue' | 'manual';

export type AttemptOutcome =
  | { configurationId: string; claimed: false; reason: string }
  | { configurationId: string; claimed: true; ok: true; attemptId: string; orderId: string; certificateId: string; useBackup: boolean }
  | { configurationId: string; claimed: true; ok: false; attemptId: string; orderId: string | null; useBackup: boolean; message: string };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

async function importedCertificate(deps: RenewalDeps, certificateId: string) {
  const events = await deps.store.readStream(streams.certificate(certificateId));
  const imported = events.find((e) => e.type === 'CertificateImported');
  if (!imported) throw new IllegalStateError(`Certificate ${certificateId} has no import event`);
  return imported.data as { notBefore: string; notAfter: string; pem: string };
}

async function certificateFacts(deps: RenewalDeps, certificateId: string): Promise<CertificateFacts> {
  const data = await importedCertificate(deps, certificateId);
  return { certificateId, notBefore: data.notBefore, notAfter: data.notAfter };
}

/**
 * RFC 9773 §5: the ARI identifier of the certificate being renewed, sent as `replaces`. Not for
 * the backup (likely another CA, which cannot know it); none when the certificate has no AKI.
 * The order step retries without it when the CA refuses it.
 */
async function replacesFor(deps: RenewalDeps, certificateId: string | null, useBackup: boolean): Promise<string | undefined> {
  if (!certificateId || useBackup) return undefined;
  try {
    return ariCertificateIdentifier((await importedCertificate(deps, certificateId)).pem);
  } catch (error) {
    if (error instanceof AriError || error instanceof IllegalStateError) return undefined;
    throw error;
  }
}

/** Claims the configuration; null (with the reason) when another runner has it or it is not due. */
async function claim(deps: RenewalDeps, configurationId: string, trigger: AttemptTrigger, context: CommandContext) {
  const state = await loadRenewalConfiguration(deps.store, configurationId);
  const now = deps.now();
  const command = {
    type: 'StartRenewalAttempt' as const,
    attemptId: ids.random(),
    trigger,
    ari: await ariChoiceFor(deps.db, state.certificate?.certificateId ?? null),
    staleBefore: new Date(now.getTime() - STALE_ATTEMPT_MS).toISOString(),
    now: now.toISOString(),
  };
  try {
    const result = await recordOnConfiguration(deps.store, configurationId, command, context);
    const started = result.events[0] as RenewalAttemptStarted | undefined;
    if (started) return { started };
    return { reason: claimRefusal(await loadRenewalConfiguration(deps.store, configurationId), command) ?? 'not claimable' };
  } catch (error) {
    if (error instanceof ConcurrencyError) return { reason: 'claimed by another runner' };
    throw error;
  }
}

export async function attemptRenewal(
  deps: RenewalDeps,
  configurationId: string,
  trigger: AttemptTrigger,
  context: CommandContext = {},
): Promise<AttemptOutcome> {
  const claimed = await claim(deps, configurationId, trigger, context);
  if (!claimed.started) {
    if (trigger === 'manual') throw new IllegalStateError(`Cannot order from renewal configuration ${configurationId}: ${claimed.reason}`);
    return { configurationId, claimed: false, reason: claimed.reason };
  }
  const { attemptId, issuer, useBackup } = claimed.started.data;
  const configuration = await loadRenewalConfiguration(deps.store, configurationId);
  let orderId: string | null = null;
  let failure: string;
  try {
    const created = await createAcmeOrder(deps, {
      accountId: issuer.accountId,
      identifiers: configuration.identifiers,
      keyPolicy: issuer.keyPolicy as KeyPolicy,
      keyTechnology: issuer.keyTechnology,
      processing: 'all',
      replaces: await replacesFor(deps, configuration.certificate?.certificateId ?? null, useBackup),
      ...(issuer.profile ? { profile: issuer.profile } : {}),
    }, context);
    orderId = created.orderId;
    const order = await loadOrder(deps.store, orderId);
    if (order.certificateId) {
      const certificate = await certificateFacts(deps, order.certificateId);
      await recordOnConfiguration(deps.store, configurationId, { type: 'RecordRenewalSuccess', attemptId, orderId, certificate, now: deps.now().toISOString() }, context, { retries: 3 });
      return { configurationId, claimed: true, ok: true, attemptId, orderId, certificateId: certificate.certificateId, useBackup };
    }
    const failed = created.report.steps.find((s) => !s.ok);
    failure = `order ${orderId} ended ${order.status}${failed ? ` at ${failed.step}: ${message(failed.error)}` : ''}`;
  } catch (error) {
    failure = message(error);
  }
  await recordOnConfiguration(deps.store, configurationId, { type: 'RecordRenewalFailure', attemptId, orderId, message: failure, now: deps.now().toISOString() }, context, { retries: 3 });
  deps.logger.warn('renewal attempt failed', { configurationId, orderId, useBackup, failure });
  return { configurationId, claimed: true, ok: false, attemptId, orderId, useBackup, message: failure };
}
