import type { RenewalConfigurationCommand } from '../../domain/renewal-configuration/commands.js';
import { renewalConfigurationDecider, type KnownRenewalConfiguration, type RenewalConfigurationState } from '../../domain/renewal-configuration/decider.js';
import { renewalConfigurationStream, type RenewalConfigurationEvent } from '../../domain/renewal-configuration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext, type Handled } from '../handle.js';

export const renewalDecider = renewalConfigurationDecider((ms) => new Date(ms).toISOString());

/** The configuration as its stream says now (no projection lag). */
export async function loadRenewalConfiguration(store: EventStore, configurationId: string): Promise<KnownRenewalConfiguration> {
  const events = await store.readStream(renewalConfigurationStream(configurationId));
  const state: RenewalConfigurationState = fold(renewalDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as RenewalConfigurationEvent));
  if (state.status === 'absent') throw new NotFoundError(`Renewal configuration ${configurationId} not found`);
  return state;
}

/** No retries by default: a conflicting append is exactly how a second runner learns it lost the claim. */
export function recordOnConfiguration(
  store: EventStore,
  configurationId: string,
  command: RenewalConfigurationCommand,
  context: CommandContext = {},
  options: { retries?: number } = {},
): Promise<Handled<RenewalConfigurationEvent>> {
  return handleCommand(store, renewalConfigurationStream(configurationId), renewalDecider, command, context, options);
}
