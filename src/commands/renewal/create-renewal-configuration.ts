/**
 * A renewal configuration: names (with their challenge type), a primary issuer (account, key
 * technology, key cycling, profile) and an optional backup. Anything not given comes from the
 * `global` system policy, then from the account's order defaults. It starts from the newest
 * active certificate the catalog holds for the same name set, so an existing certificate is
 * renewed on time rather than replaced at once.
 */
import type { RenewalIdentifier } from '../../domain/renewal-configuration/events.js';
import type { IssuerChoice } from '../../domain/system-policy/policy.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { ids } from '../../infra/ids.js';
import { uniqueFqdnSet } from '../../infra/x509/domain-names.js';
import { loadAcmeAccountState } from '../acme-account/load.js';
import type { CommandContext } from '../handle.js';
import { assertProfilesOffered, unusableAccounts } from './accounts.js';
import type { RenewalConfigDeps } from './deps.js';
import { recordOnConfiguration } from './stream.js';
import { getSystemPolicy, type SystemPolicyName } from './system-policy.js';

export type IssuerInput = { accountId?: string; keyTechnology?: string; keyPolicy?: string; profile?: string | null };

export type CreateRenewalConfigurationInput = {
  identifiers: RenewalIdentifier[];
  primary?: IssuerInput;
  backup?: IssuerInput | null;
  isAutoRenew?: boolean;
  /** Which system policy fills the gaps (default `global`). */
  policy?: SystemPolicyName;
};

export type CreatedRenewalConfiguration = { configurationId: string; position: bigint | null };

async function resolveIssuer(deps: RenewalConfigDeps, input: IssuerInput, fallback: IssuerChoice | null, field: string): Promise<IssuerChoice> {
  const accountId = input.accountId ?? fallback?.accountId;
  if (!accountId) throw new ValidationError({ [`${field}acme_account_id`]: 'is required (or set the system policy)' });
  const account = await loadAcmeAccountState(deps.store, accountId);
  const sameAccount = fallback?.accountId === accountId;
  const accountTechnology = account.status === 'absent' ? undefined : account.orderDefaults.privateKeyTechnology;
  return {
    accountId,
    keyTechnology: input.keyTechnology ?? (sameAccount ? fallback?.keyTechnology : undefined) ?? accountTechnology ?? 'EC_P256',
    keyPolicy: input.keyPolicy ?? (sameAccount ? fallback?.keyPolicy : undefined) ?? 'account_default',
    profile: input.profile !== undefined ? input.profile : (sameAccount ? fallback?.profile ?? null : null),
  };
}

/** The catalog's newest active certificate for the name set, if any. */
async function currentCertificate(deps: RenewalConfigDeps, uniqueFqdnSetId: string) {
  const row = await deps.db.selectFrom('certificates').select(['id', 'not_before', 'not_after'])
    .where('unique_fqdn_set_id', '=', uniqueFqdnSetId).where('is_active', '=', true)
    .orderBy('not_after', 'desc').limit(1).executeTakeFirst();
  return row ? { certificateId: row.id, notBefore: new Date(row.not_before).toISOString(), notAfter: new Date(row.not_after).toISOString() } : null;
}

export async function createRenewalConfiguration(
  deps: RenewalConfigDeps,
  input: CreateRenewalConfigurationInput,
  context: CommandContext = {},
  extra: {
    replacesConfigurationId?: string;
    certificate?: { certificateId: string; notBefore: string; notAfter: string } | null;
    /** A deterministic id (imports): creating it again decides nothing. Random otherwise. */
    configurationId?: string;
  } = {},
  // `created` is false when a configuration with the given id existed already (an import repeated).
): Promise<CreatedRenewalConfiguration & { created: boolean }> {
  const domainNames = uniqueFqdnSet(input.identifiers.map((i) => i.value));
  const uniqueFqdnSetId = ids.uniqueFqdnSet(domainNames);
  const policy = await getSystemPolicy(deps.db, input.policy ?? 'global');
  const primary = await resolveIssuer(deps, input.primary ?? {}, policy?.primary ?? null, '');
  const backupInput = input.backup === undefined ? (policy?.backup ? {} : null) : input.backup;
  const backup = backupInput ? await resolveIssuer(deps, backupInput, policy?.backup ?? null, 'backup_') : null;
  await assertProfilesOffered(deps, [['', primary], ['backup_', backup]]);
  const configurationId = extra.configurationId ?? ids.random();
  const certificate = extra.certificate !== undefined ? extra.certificate : await currentCertificate(deps, uniqueFqdnSetId);
  const result = await recordOnConfiguration(deps.store, configurationId, {
    type: 'CreateRenewalConfiguration',
    configurationId,
    identifiers: input.identifiers,
    uniqueFqdnSetId,
    domainNames,
    primary,
    backup,
    isAutoRenew: input.isAutoRenew ?? true,
    replacesConfigurationId: extra.replacesConfigurationId ?? null,
    certificate,
    unusableAccounts: await unusableAccounts(deps.store, [primary.accountId, backup?.accountId]),
    now: deps.now().toISOString(),
  }, context);
  return { configurationId, created: result.events.length > 0, position: result.position };
}
