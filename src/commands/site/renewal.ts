/**
 * The site's certificates and their renewal configurations, reconciled after every site command:
 * the ACME certificate it serves is enrolled (and active); stashed ones are not renewed, so their
 * configurations are deactivated; unstashing activates them again. One configuration per site and
 * name set, with a deterministic id, so a retry or a later deploy finds the same one.
 */
import { renewalConfigurationStream } from '../../domain/renewal-configuration/events.js';
import type { SiteState } from '../../domain/site/decider.js';
import { deterministicId } from '../../infra/ids.js';
import type { CommandContext } from '../handle.js';
import { createRenewalConfiguration } from '../renewal/create-renewal-configuration.js';
import { adoptRenewalCertificate, setRenewalConfigurationActive } from '../renewal/change-renewal-configuration.js';
import type { SiteDeps, SiteIssuer } from './deps.js';
import { siteCausation } from './lock.js';
import { certificateRecord } from './material.js';

export const siteRenewalConfigurationId = (siteId: string, domainNames: readonly string[]): string =>
  deterministicId('siteRenewalConfiguration', `${siteId}\0${[...domainNames].sort().join(',')}`);

export type SiteRenewal = {
  /** The served certificate's configuration; null when it serves no ACME certificate. */
  configurationId: string | null;
  /** Why the served certificate could not be enrolled (no account, say). */
  problem: string | null;
  position: bigint | null;
};

const exists = async (deps: SiteDeps, configurationId: string) =>
  (await deps.store.readStream(renewalConfigurationStream(configurationId), { maxCount: 1 })).length > 0;

const later = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);

export async function syncSiteRenewal(deps: SiteDeps, state: SiteState, issuer: SiteIssuer, context: CommandContext): Promise<SiteRenewal> {
  if (state.status === 'absent') return { configurationId: null, problem: null, position: null };
  // causationId marks the configuration as the site's: the renewal run takes the site lock for it.
  const ctx: CommandContext = { ...context, causationId: siteCausation(state.siteId) };
  let position: bigint | null = null;
  let configurationId: string | null = null;
  let problem: string | null = null;
  if (state.status === 'deployed' && state.current.kind === 'acme') {
    const record = await certificateRecord(deps.store, state.current.certificateId);
    configurationId = siteRenewalConfigurationId(state.siteId, record.domainNames);
    if (!(await exists(deps, configurationId))) {
      try {
        const created = await createRenewalConfiguration(deps, {
          identifiers: record.domainNames.map((value) => ({ type: 'dns' as const, value, challengeType: issuer.challengeType ?? 'http-01' })),
          primary: { accountId: issuer.accountId, keyTechnology: issuer.keyTechnology, keyPolicy: issuer.keyPolicy, profile: issuer.profile },
          isAutoRenew: true,
        }, ctx, {
          configurationId,
          certificate: { certificateId: record.certificateId, notBefore: record.notBefore, notAfter: record.notAfter },
        });
        position = later(position, created.position);
      } catch (error) {
        // The certificate is served either way; the caller is told it is not renewed.
        problem = error instanceof Error ? error.message : String(error);
        configurationId = null;
      }
    } else {
      // A given certificate with the same names as an earlier one: renewal follows what is served.
      const certificate = { certificateId: record.certificateId, notBefore: record.notBefore, notAfter: record.notAfter };
      position = later(position, (await adoptRenewalCertificate(deps, configurationId, certificate, ctx)).position);
      position = later(position, (await setRenewalConfigurationActive(deps, configurationId, true, ctx)).position);
    }
  }
  for (const stashed of state.stash) {
    const record = await certificateRecord(deps.store, stashed.certificateId);
    const id = siteRenewalConfigurationId(state.siteId, record.domainNames);
    if (id === configurationId || !(await exists(deps, id))) continue;
    position = later(position, (await setRenewalConfigurationActive(deps, id, false, ctx)).position);
  }
  return { configurationId, problem, position };
}
