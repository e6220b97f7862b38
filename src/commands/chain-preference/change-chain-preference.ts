import type { Kysely } from 'kysely';
import type { ChainPreferenceCommand } from '../../domain/chain-preference/commands.js';
import { chainPreferenceDecider } from '../../domain/chain-preference/decider.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { CHAIN_PREFERENCE_POLICY_ID, streams } from '../../domain/shared/ids.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ChainPreferenceDeps = { store: EventStore; db: Kysely<Database>; now: () => Date };

/** Without `now`: the handler stamps it. Known-ness is looked up here, in the catalog. */
export type ChainPreferenceChange =
  | { type: 'SetChainPreferencePolicy'; fingerprintsSha1: string[] }
  | { type: 'AddChainPreference'; fingerprintSha1: string }
  | { type: 'RemoveChainPreference'; slot: number; fingerprintSha1: string }
  | { type: 'PrioritizeChainPreference'; slot: number; fingerprintSha1: string; priority: 'increase' | 'decrease' };

export type ChainPreferenceChanged = { fingerprintsSha1: string[]; changed: boolean; position: bigint | null };

async function knownFingerprints(db: Kysely<Database>, fingerprints: readonly string[]): Promise<string[]> {
  if (fingerprints.length === 0) return [];
  const rows = await db.selectFrom('ca_certificates').select('fingerprint_sha1').where('fingerprint_sha1', 'in', [...fingerprints]).execute();
  return rows.map((row) => row.fingerprint_sha1);
}

/**
 * peter_sslers lets a form name a CA by the first 8 hex digits of its SHA-1; that must match
 * exactly one known CA certificate.
 */
export async function resolveFingerprintPrefix(db: Kysely<Database>, value: string, field: string): Promise<string> {
  const fingerprint = value.trim().toLowerCase().replaceAll(':', '');
  if (fingerprint.length !== 8) return fingerprint;
  if (!/^[0-9a-f]{8}$/.test(fingerprint)) throw new ValidationError({ [field]: 'is not a SHA-1 fingerprint' });
  const rows = await db.selectFrom('ca_certificates').select('fingerprint_sha1').where('fingerprint_sha1', 'like', `${fingerprint}%`).limit(2).execute();
  if (rows.length === 0) throw new ValidationError({ [field]: 'matches no CA certificate' });
  if (rows.length > 1) throw new ValidationError({ [field]: 'matches more than one CA certificate; give all 40 digits' });
  return rows[0]!.fingerprint_sha1;
}

/**
 * Every policy change, whole or by one entry. The decision reads the stream, so a concurrent
 * change makes the append fail and the command is decided again on the fresh policy.
 */
export async function changeChainPreference(
  deps: ChainPreferenceDeps,
  change: ChainPreferenceChange,
  context: CommandContext = {},
): Promise<ChainPreferenceChanged> {
  const now = deps.now().toISOString();
  let command: ChainPreferenceCommand;
  switch (change.type) {
    case 'SetChainPreferencePolicy':
      command = { ...change, knownFingerprintsSha1: await knownFingerprints(deps.db, change.fingerprintsSha1), now };
      break;
    case 'AddChainPreference':
      command = { ...change, isKnown: (await knownFingerprints(deps.db, [change.fingerprintSha1])).length > 0, now };
      break;
    default:
      command = { ...change, now };
  }
  const stream = streams.chainPreference(CHAIN_PREFERENCE_POLICY_ID);
  const handled = await handleCommand(deps.store, stream, chainPreferenceDecider, command, context, { retries: 3 });
  const events = await deps.store.readStream(stream);
  const last = events.at(-1);
  return {
    fingerprintsSha1: last ? [...(last.data.fingerprintsSha1 as string[])] : [],
    changed: handled.events.length > 0,
    position: handled.position,
  };
}
