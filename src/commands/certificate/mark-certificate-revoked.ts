import { certificateDecider } from '../../domain/certificate/decider.js';
import { streams } from '../../domain/shared/ids.js';
import { domainsServedBy } from '../../projections/recents.js';
import { handleCommand, type CommandContext } from '../handle.js';
import type { DeactivateCertificateOutcome } from './deactivate-certificate.js';
import type { LifecycleDeps, MarkInput } from './lifecycle.js';

/** Permanent and deactivating; the seed rule does not hold back a revoked certificate. */
export async function markCertificateRevoked(
  deps: LifecycleDeps,
  certificateId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<DeactivateCertificateOutcome> {
  const latestForDomains = await domainsServedBy(deps.db, certificateId);
  const handled = await handleCommand(deps.store, streams.certificate(certificateId), certificateDecider, {
    type: 'MarkCertificateRevoked',
    certificateId,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
    latestForDomainIds: latestForDomains.map((d) => d.id),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  return { changed: handled.events.length > 0, position: handled.position, latestForDomains: handled.events.length > 0 ? latestForDomains : [] };
}
