import { certificateDecider } from '../../domain/certificate/decider.js';
import { streams } from '../../domain/shared/ids.js';
import { domainsServedBy } from '../../projections/recents.js';
import { handleCommand, type CommandContext } from '../handle.js';
import type { LifecycleDeps, MarkInput, MarkOutcome } from './lifecycle.js';

export type DeactivateCertificateOutcome = MarkOutcome & {
  /** Domains this certificate was the latest single or multi of: they fall back to their next best. */
  latestForDomains: { id: string; domain_name: string }[];
};

/** Deactivation and revocation both take a certificate out of service and record which domains lose it. */
export async function markCertificateOff(
  type: 'DeactivateCertificate' | 'MarkCertificateRevoked',
  deps: LifecycleDeps,
  certificateId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<DeactivateCertificateOutcome> {
  const latestForDomains = await domainsServedBy(deps.db, certificateId);
  const handled = await handleCommand(deps.store, streams.certificate(certificateId), certificateDecider, {
    type,
    certificateId,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
    latestForDomainIds: latestForDomains.map((d) => d.id),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  return { changed: handled.events.length > 0, position: handled.position, latestForDomains: handled.events.length > 0 ? latestForDomains : [] };
}

/**
 * An operator's deactivation wins over the seed rule: they asked for it by name. The domains
 * that lose the certificate are recorded in the event and reported back.
 */
export const deactivateCertificate = (
  deps: LifecycleDeps,
  certificateId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<DeactivateCertificateOutcome> => markCertificateOff('DeactivateCertificate', deps, certificateId, mark, context);
