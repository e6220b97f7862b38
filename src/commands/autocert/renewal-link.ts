/**
 * A certificate obtained on request is kept from then on: its name set gets a renewal
 * configuration (the issuer that obtained it, plus the policy's backup), unless an active one
 * already covers that name set. Best effort: the certificate is served either way, and a
 * failure here is logged, not returned as the request's failure.
 */
import type { SystemPolicyValues } from '../../domain/system-policy/policy.js';
import { ids } from '../../infra/ids.js';
import { uniqueFqdnSet } from '../../infra/x509/domain-names.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';
import type { CommandContext } from '../handle.js';
import { createRenewalConfiguration, type IssuerInput } from '../renewal/create-renewal-configuration.js';
import type { SystemPolicyName } from '../renewal/system-policy.js';
import type { IssuerSelection } from './policy.js';

export type RenewalLink = { configurationId: string; created: boolean } | null;

export async function keepRenewed(
  deps: AcmeOrderDeps,
  domainNames: string[],
  issuer: IssuerSelection,
  policy: { name: SystemPolicyName; values: SystemPolicyValues | null },
  context: CommandContext = {},
): Promise<RenewalLink> {
  try {
    const uniqueFqdnSetId = ids.uniqueFqdnSet(uniqueFqdnSet(domainNames));
    const existing = await deps.db.selectFrom('renewal_configurations').select('id')
      .where('unique_fqdn_set_id', '=', uniqueFqdnSetId).where('is_active', '=', true).executeTakeFirst();
    if (existing) return { configurationId: existing.id, created: false };
    const fromPolicy = policy.values?.primary.accountId === issuer.accountId ? policy.values.primary : null;
    const primary: IssuerInput = {
      accountId: issuer.accountId,
      keyTechnology: issuer.keyTechnology ?? fromPolicy?.keyTechnology,
      keyPolicy: issuer.keyPolicy ?? fromPolicy?.keyPolicy,
      profile: issuer.profile ?? fromPolicy?.profile ?? null,
    };
    const created = await createRenewalConfiguration(deps, {
      identifiers: domainNames.map((value) => ({ type: 'dns' as const, value, challengeType: 'http-01' as const })),
      primary,
      backup: policy.values?.backup ?? null,
      isAutoRenew: true,
      policy: policy.name,
    }, context);
    return { configurationId: created.configurationId, created: true };
  } catch (error) {
    deps.logger.warn('no renewal configuration for a certificate obtained on request', { domainNames: domainNames.join(','), error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}
