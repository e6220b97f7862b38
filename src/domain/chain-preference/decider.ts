import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { ChainPreferenceCommand, PrioritizeChainPreference, RemoveChainPreference, SetChainPreferencePolicy } from './commands.js';
import type { ChainPreferenceEvent } from './events.js';

/** The one global policy: the ordered fingerprints, empty until first set. */
export type ChainPreferenceState = { fingerprintsSha1: string[] };

/** A policy is read on every chain selection; a short list keeps that cheap and reviewable. */
export const MAX_CHAIN_PREFERENCES = 20;
const SHA1_HEX = /^[0-9a-f]{40}$/;

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/** [] when nothing changes: setting the same policy twice is one fact, not two. */
const policySet = (state: ChainPreferenceState, next: string[], now: string): ChainPreferenceEvent[] =>
  sameList(state.fingerprintsSha1, next) ? [] : [{ type: 'ChainPreferencePolicySet', data: { fingerprintsSha1: next, setAt: now } }];

function validateSet(command: SetChainPreferencePolicy): string[] {
  const problems: Record<string, string> = {};
  const list = command.fingerprintsSha1;
  if (list.length > MAX_CHAIN_PREFERENCES) problems.fingerprints_sha1 = `holds more than ${MAX_CHAIN_PREFERENCES} entries`;
  list.forEach((fingerprint, index) => {
    const field = `fingerprints_sha1.${index}`;
    if (!SHA1_HEX.test(fingerprint)) problems[field] = 'is not a SHA-1 fingerprint (40 lower-case hex digits)';
    else if (list.indexOf(fingerprint) !== index) problems[field] = `repeats entry ${list.indexOf(fingerprint)}`;
    else if (!command.knownFingerprintsSha1.includes(fingerprint)) problems[field] = 'is not a known CA certificate';
  });
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  return [...list];
}

/** The compat commands name a slot and its fingerprint, so a stale form cannot move the wrong entry. */
function checkSlot(state: ChainPreferenceState, command: RemoveChainPreference | PrioritizeChainPreference): number {
  const index = command.slot - 1;
  if (state.fingerprintsSha1[index] !== command.fingerprintSha1) {
    throw new ValidationError({ slot: 'does not hold that fingerprint_sha1 (bad or stale data)' });
  }
  return index;
}

function prioritized(state: ChainPreferenceState, command: PrioritizeChainPreference): string[] {
  const index = checkSlot(state, command);
  const target = command.priority === 'increase' ? index - 1 : index + 1;
  if (target < 0 || target >= state.fingerprintsSha1.length) {
    throw new ValidationError({ priority: `the entry is already the ${command.priority === 'increase' ? 'first' : 'last'}` });
  }
  const next = [...state.fingerprintsSha1];
  [next[index], next[target]] = [next[target]!, next[index]!];
  return next;
}

export const chainPreferenceDecider: Decider<ChainPreferenceCommand, ChainPreferenceState, ChainPreferenceEvent> = {
  initialState: () => ({ fingerprintsSha1: [] }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'ChainPreferencePolicySet':
        return { fingerprintsSha1: [...event.data.fingerprintsSha1] };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'SetChainPreferencePolicy':
        return policySet(state, validateSet(command), command.now);
      case 'AddChainPreference': {
        const fingerprint = command.fingerprintSha1;
        if (!SHA1_HEX.test(fingerprint)) throw new ValidationError({ fingerprint_sha1: 'is not a SHA-1 fingerprint (40 lower-case hex digits)' });
        if (!command.isKnown) throw new ValidationError({ fingerprint_sha1: 'is not a known CA certificate' });
        if (state.fingerprintsSha1.includes(fingerprint)) throw new ValidationError({ fingerprint_sha1: 'is already in the list' });
        if (state.fingerprintsSha1.length >= MAX_CHAIN_PREFERENCES) {
          throw new ValidationError({ fingerprint_sha1: `the list already holds ${MAX_CHAIN_PREFERENCES} entries` });
        }
        return policySet(state, [...state.fingerprintsSha1, fingerprint], command.now);
      }
      case 'RemoveChainPreference': {
        const index = checkSlot(state, command);
        return policySet(state, state.fingerprintsSha1.filter((_, i) => i !== index), command.now);
      }
      case 'PrioritizeChainPreference':
        return policySet(state, prioritized(state, command), command.now);
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
