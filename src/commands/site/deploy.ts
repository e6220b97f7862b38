/**
 * deploy / redeploy / restore: under the site lock, import a given certificate, ask the decider,
 * run the synchronous order when the plan needs a certificate now (its outcome recorded with the
 * decider's outcome commands), then reconcile renewal: the served ACME certificate is enrolled,
 * stashed ones are not renewed.
 */
import type { SiteEvent } from '../../domain/site/events.js';
import { pendingIssue, type SiteState } from '../../domain/site/decider.js';
import type { CertificateRef, TlsWish } from '../../domain/site/state.js';
import { ids } from '../../infra/ids.js';
import type { CommandContext } from '../handle.js';
import type { CertificateMaterial, SiteDeps, SiteIssuer } from './deps.js';
import { issueForSite } from './issue.js';
import { withSiteLock } from './lock.js';
import { certificateRecord, importMaterial } from './material.js';
import { syncSiteRenewal, type SiteRenewal } from './renewal.js';
import { loadSite, recordOnSite } from './stream.js';

export type DeploySiteInput = {
  operation: 'deploy' | 'redeploy' | 'restore';
  siteId: string;
  hostNames: string[];
  wish: TlsWish;
  /** An ACME certificate to consider (imported first; used if the rules pick it). */
  given?: CertificateMaterial | null;
  issuer?: SiteIssuer;
};

export type SiteOutcome = {
  siteId: string;
  state: SiteState;
  /** Everything appended to the site stream by this call. */
  events: SiteEvent[];
  /** Set when the site serves no TLS because the synchronous order failed. */
  tlsFailure: string | null;
  /** The order run now, if any. */
  orderId: string | null;
  renewal: SiteRenewal;
  position: bigint | null;
};

const later = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);

const COMMAND = { deploy: 'DeploySite', redeploy: 'RedeploySite', restore: 'RestoreSite' } as const;

export function deploySite(deps: SiteDeps, input: DeploySiteInput, context: CommandContext = {}): Promise<SiteOutcome> {
  return withSiteLock(deps, input.siteId, () => deployLocked(deps, input, context));
}

async function deployLocked(deps: SiteDeps, input: DeploySiteInput, context: CommandContext): Promise<SiteOutcome> {
  const issuer = input.issuer ?? {};
  let position: bigint | null = null;
  let given: CertificateRef | null = null;
  if (input.given) {
    const imported = await importMaterial(deps, input.given, context);
    given = { certificateId: imported.certificateId, notAfter: imported.notAfter };
    position = imported.position;
  }
  const issueAttemptId = ids.random();
  const deployed = await recordOnSite(deps.store, input.siteId, {
    type: COMMAND[input.operation], siteId: input.siteId, hostNames: input.hostNames, wish: input.wish, given, issueAttemptId, now: deps.now().toISOString(),
  }, context);
  const events: SiteEvent[] = [...deployed.events];
  position = later(position, deployed.position);

  let orderId: string | null = null;
  const pending = pendingIssue(await loadSite(deps.store, input.siteId));
  if (pending && pending.attemptId === issueAttemptId) {
    const issued = await issueForSite(deps, pending.hostNames, issuer, context);
    orderId = issued.orderId;
    const now = deps.now().toISOString();
    const outcome = issued.ok
      ? await recordOnSite(deps.store, input.siteId, {
        type: 'RecordSiteCertificateIssued', attemptId: pending.attemptId, now,
        certificate: { certificateId: issued.certificateId, notAfter: (await certificateRecord(deps.store, issued.certificateId)).notAfter },
      }, context)
      : await recordOnSite(deps.store, input.siteId, { type: 'RecordSiteCertificateIssueFailed', attemptId: pending.attemptId, message: issued.reason, now }, context);
    events.push(...outcome.events);
    position = later(position, outcome.position);
    if (!issued.ok) deps.logger.warn('site deployed without TLS: the order failed', { siteId: input.siteId, orderId, reason: issued.reason });
  }
  return finish(deps, input.siteId, issuer, events, position, orderId, context);
}

/** Renewal reconciled, read model caught up (config.json serves what the site now uses). */
export async function finish(
  deps: SiteDeps, siteId: string, issuer: SiteIssuer, events: SiteEvent[], position: bigint | null, orderId: string | null, context: CommandContext,
): Promise<SiteOutcome> {
  const state = await loadSite(deps.store, siteId);
  const renewal = await syncSiteRenewal(deps, state, issuer, context);
  const last = later(position, renewal.position);
  if (last !== null) await deps.projections.waitFor(last, { timeoutMs: 30_000 });
  const failed = events.find((e) => e.type === 'SiteServedWithoutTls' && e.data.reason === 'acmeIssueFailed');
  const tlsFailure = failed?.type === 'SiteServedWithoutTls' ? failed.data.message ?? 'the order failed' : null;
  return { siteId, state, events, tlsFailure, orderId, renewal, position: last };
}
