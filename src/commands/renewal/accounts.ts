import { ValidationError } from '../../domain/shared/errors.js';
import type { IssuerChoice } from '../../domain/system-policy/policy.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { loadAcmeAccountState } from '../acme-account/load.js';
import type { AcmeSessions } from '../acme/session.js';
import { assertProfileOffered } from '../acme-order/profiles.js';

/**
 * Accounts a policy or configuration may not name, with the reason (read from their streams, so
 * a freshly created account is usable at once). A deactivated account can make no more requests
 * (RFC 8555 §7.3.6).
 */
export async function unusableAccounts(store: EventStore, accountIds: readonly (string | null | undefined)[]): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  for (const id of new Set(accountIds.filter((a): a is string => !!a))) {
    const state = await loadAcmeAccountState(store, id);
    if (state.status === 'absent') problems[id] = 'is not a known ACME account';
    else if (state.status === 'deactivated') problems[id] = 'is deactivated';
  }
  return problems;
}

/** A profile must be one the account's server offers (draft-ietf-acme-profiles); checked only with a session pool. */
export async function assertProfilesOffered(
  deps: { store: EventStore; acme?: Pick<AcmeSessions, 'transportFor'> },
  sides: readonly [prefix: string, choice: IssuerChoice | null][],
): Promise<void> {
  const acme = deps.acme;
  if (!acme) return;
  for (const [prefix, choice] of sides) {
    if (!choice?.profile) continue;
    const account = await loadAcmeAccountState(deps.store, choice.accountId);
    if (account.status === 'absent') continue;
    try {
      await assertProfileOffered({ acme }, account.acmeServerId, choice.profile);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError({ [`${prefix}acme_profile`]: error.fields.profile ?? error.message });
      throw error;
    }
  }
}
