/**
 * Configurations are never edited in place: an edit creates a new configuration (inheriting what
 * the edit does not change, and the current certificate so renewal timing carries over) and
 * retires the old one, which points at its successor. Activation toggles whether runs consider it.
 */
import { IllegalStateError } from '../../domain/shared/errors.js';
import type { CommandContext } from '../handle.js';
import { createRenewalConfiguration, type CreatedRenewalConfiguration, type IssuerInput } from './create-renewal-configuration.js';
import type { RenewalConfigDeps } from './deps.js';
import type { RenewalIdentifier } from '../../domain/renewal-configuration/events.js';
import { loadRenewalConfiguration, recordOnConfiguration } from './stream.js';

export type EditRenewalConfigurationInput = {
  identifiers?: RenewalIdentifier[];
  primary?: IssuerInput;
  /** null removes the backup; undefined keeps it. */
  backup?: IssuerInput | null;
  isAutoRenew?: boolean;
};

export async function editRenewalConfiguration(
  deps: RenewalConfigDeps,
  configurationId: string,
  edit: EditRenewalConfigurationInput,
  context: CommandContext = {},
): Promise<CreatedRenewalConfiguration> {
  const old = await loadRenewalConfiguration(deps.store, configurationId);
  if (old.replacedByConfigurationId) {
    throw new IllegalStateError(`Renewal configuration ${configurationId} was already edited into ${old.replacedByConfigurationId}; edit that one`);
  }
  const identifiers = edit.identifiers ?? old.identifiers;
  const sameNames = JSON.stringify(identifiers.map((i) => i.value).sort()) === JSON.stringify(old.identifiers.map((i) => i.value).sort());
  const created = await createRenewalConfiguration(deps, {
    identifiers,
    primary: { ...old.primary, ...defined(edit.primary) },
    backup: edit.backup === null ? null : edit.backup === undefined ? old.backup : { ...old.backup, ...defined(edit.backup) },
    isAutoRenew: edit.isAutoRenew ?? old.isAutoRenew,
  }, context, {
    replacesConfigurationId: configurationId,
    // Other names: the old certificate does not cover them, so the catalog is asked afresh.
    ...(sameNames ? { certificate: old.certificate } : {}),
  });
  const replaced = await recordOnConfiguration(deps.store, configurationId, {
    type: 'ReplaceRenewalConfiguration', replacedByConfigurationId: created.configurationId, now: deps.now().toISOString(),
  }, context, { retries: 2 });
  return { configurationId: created.configurationId, position: laterOf(created.position, replaced.position) };
}

/** An edit's unset fields keep the old values. */
const defined = (input: IssuerInput | undefined): IssuerInput =>
  Object.fromEntries(Object.entries(input ?? {}).filter(([, value]) => value !== undefined));

const laterOf = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);

export async function setRenewalConfigurationActive(
  deps: RenewalConfigDeps,
  configurationId: string,
  active: boolean,
  context: CommandContext = {},
): Promise<{ changed: boolean; position: bigint | null }> {
  const result = await recordOnConfiguration(deps.store, configurationId, {
    type: active ? 'ActivateRenewalConfiguration' : 'DeactivateRenewalConfiguration', now: deps.now().toISOString(),
  }, context, { retries: 2 });
  return { changed: result.events.length > 0, position: result.position };
}

/** The configuration renews `certificate` from now on (a site was given a newer one with the same names). */
export async function adoptRenewalCertificate(
  deps: RenewalConfigDeps,
  configurationId: string,
  certificate: { certificateId: string; notBefore: string; notAfter: string },
  context: CommandContext = {},
): Promise<{ changed: boolean; position: bigint | null }> {
  const result = await recordOnConfiguration(deps.store, configurationId, {
    type: 'AdoptRenewalCertificate', certificate, now: deps.now().toISOString(),
  }, context, { retries: 2 });
  return { changed: result.events.length > 0, position: result.position };
}
