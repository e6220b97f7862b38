/**
 * A renewal of a site's configuration (run, queue or manual) happens under the site's lock, and the
 * site then serves the renewed certificate: without this it would keep pointing at the old one until
 * it expired. A configuration outside any site is renewed as it is.
 */
import type { CommandContext } from '../handle.js';
import { attemptRenewal, type AttemptOutcome, type AttemptTrigger } from '../renewal/attempt.js';
import type { RenewalDeps } from '../renewal/deps.js';
import { siteOfRenewalConfiguration, withSiteLock } from './lock.js';
import { certificateRecord } from './material.js';
import { siteRenewalConfigurationId } from './renewal.js';
import { loadSite, recordOnSite } from './stream.js';

export async function attemptSiteAwareRenewal(
  deps: RenewalDeps, configurationId: string, trigger: AttemptTrigger, context: CommandContext = {},
): Promise<AttemptOutcome> {
  const siteId = await siteOfRenewalConfiguration(deps.store, configurationId);
  if (siteId === null) return attemptRenewal(deps, configurationId, trigger, context);
  return withSiteLock(deps, siteId, async () => {
    const outcome = await attemptRenewal(deps, configurationId, trigger, context);
    if (outcome.claimed && outcome.ok) await followRenewal(deps, siteId, configurationId, outcome.certificateId, context);
    return outcome;
  });
}

/** The site certificate this configuration renews: the served one first, then the stash. */
async function certificateOfConfiguration(deps: RenewalDeps, siteId: string, configurationId: string): Promise<string | null> {
  const site = await loadSite(deps.store, siteId);
  if (site.status === 'absent') return null;
  const candidates = [...(site.current.kind === 'acme' ? [site.current.certificateId] : []), ...site.stash.map((c) => c.certificateId)];
  for (const certificateId of candidates) {
    const { domainNames } = await certificateRecord(deps.store, certificateId);
    if (siteRenewalConfigurationId(siteId, domainNames) === configurationId) return certificateId;
  }
  return null;
}

async function followRenewal(deps: RenewalDeps, siteId: string, configurationId: string, certificateId: string, context: CommandContext): Promise<void> {
  const replacesCertificateId = await certificateOfConfiguration(deps, siteId, configurationId);
  if (replacesCertificateId === null) return;
  const { notAfter } = await certificateRecord(deps.store, certificateId);
  const recorded = await recordOnSite(deps.store, siteId, {
    type: 'RecordSiteCertificateRenewed', replacesCertificateId, certificate: { certificateId, notAfter }, now: deps.now().toISOString(),
  }, context);
  if (recorded.events.length > 0) deps.logger.info('site follows its renewed certificate', { siteId, configurationId, certificateId });
}
