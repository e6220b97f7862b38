/**
 * System policies: set through the event log (stream `systemPolicy-<name>`), read from the
 * `system_policies` table. `getSystemPolicy` is what autocert and certificate-if-needed ask before
 * any work: null means "not set", and they refuse.
 */
import type { Kysely } from 'kysely';
import {
  systemPolicyDecider, systemPolicyStream, type IssuerChoice, type SystemPolicyName, type SystemPolicyValues,
} from '../../domain/system-policy/policy.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { AcmeSessions } from '../acme/session.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { assertProfilesOffered, unusableAccounts } from './accounts.js';

export type { IssuerChoice, SystemPolicyName, SystemPolicyValues } from '../../domain/system-policy/policy.js';

export type SystemPolicy = SystemPolicyValues & { name: SystemPolicyName; updatedAt: string };

export type SystemPolicyDeps = { store: EventStore; now: () => Date; acme?: Pick<AcmeSessions, 'transportFor'> };

export async function setSystemPolicy(
  deps: SystemPolicyDeps,
  name: SystemPolicyName,
  values: SystemPolicyValues,
  context: CommandContext = {},
): Promise<{ changed: boolean; position: bigint | null }> {
  const unusable = await unusableAccounts(deps.store, [values.primary.accountId, values.backup?.accountId]);
  if (Object.keys(unusable).length === 0) await assertProfilesOffered(deps, [['', values.primary], ['backup_', values.backup]]);
  const result = await handleCommand(deps.store, systemPolicyStream(name), systemPolicyDecider, {
    type: 'SetSystemPolicy', name, values, unusableAccounts: unusable, now: deps.now().toISOString(),
  }, context, { retries: 2 });
  return { changed: result.events.length > 0, position: result.position };
}

const choice = (accountId: string | null, keyTechnology: string | null, keyPolicy: string | null, profile: string | null): IssuerChoice | null =>
  accountId && keyTechnology && keyPolicy ? { accountId, keyTechnology, keyPolicy, profile } : null;

/** The policy as projected; null until it is set. */
export async function getSystemPolicy(db: Kysely<Database>, name: SystemPolicyName): Promise<SystemPolicy | null> {
  const row = await db.selectFrom('system_policies').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) return null;
  return {
    name,
    primary: choice(row.acme_account_id, row.key_technology, row.key_policy, row.acme_profile)!,
    backup: choice(row.backup_acme_account_id, row.backup_key_technology, row.backup_key_policy, row.backup_acme_profile),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function listSystemPolicies(db: Kysely<Database>): Promise<SystemPolicy[]> {
  const rows = await db.selectFrom('system_policies').select('name').orderBy('name').execute();
  const policies = await Promise.all(rows.map((r) => getSystemPolicy(db, r.name as SystemPolicyName)));
  return policies.filter((p): p is SystemPolicy => p !== null);
}
