import { describe, expect, it } from 'vitest';
import type { ChainPreferenceCommand } from '../../src/domain/chain-preference/commands.js';
import { chainPreferenceDecider, MAX_CHAIN_PREFERENCES } from '../../src/domain/chain-preference/decider.js';
import type { ChainPreferencePolicySet } from '../../src/domain/chain-preference/events.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOW = '2026-11-25T08:00:00.000Z';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const set = (fingerprintsSha1: string[], known = fingerprintsSha1): ChainPreferenceCommand => ({
  type: 'SetChainPreferencePolicy', fingerprintsSha1, knownFingerprintsSha1: known, now: NOW,
});
const policy = (fingerprintsSha1: string[]): ChainPreferencePolicySet => ({ type: 'ChainPreferencePolicySet', data: { fingerprintsSha1, setAt: NOW } });

const problems = (events: ChainPreferencePolicySet[], command: ChainPreferenceCommand): Record<string, string> => {
  try {
    chainPreferenceDecider.decide(command, events.reduce(chainPreferenceDecider.evolve, chainPreferenceDecider.initialState()));
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { ...(error as ValidationError).fields };
  }
  throw new Error('expected a ValidationError');
};

describe('chain preference decider', () => {
  const spec = deciderSpec(chainPreferenceDecider);

  it('sets the whole ordered list, and again only when it changes', () => {
    spec.given([]).when(set([A, B])).then([policy([A, B])]);
    spec.given([policy([A, B])]).when(set([A, B])).then([]);
    spec.given([policy([A, B])]).when(set([B, A])).then([policy([B, A])]);
    spec.given([policy([A, B])]).when(set([])).then([policy([])]);
    spec.given([]).when(set([])).then([]);
  });

  it('refuses malformed, repeated and unknown fingerprints, naming each entry', () => {
    expect(problems([], set(['xyz', A, A, C], [A]))).toEqual({
      'fingerprints_sha1.0': expect.stringMatching(/SHA-1/),
      'fingerprints_sha1.2': 'repeats entry 1',
      'fingerprints_sha1.3': 'is not a known CA certificate',
    });
    expect(problems([], set([A.toUpperCase()], [A]))).toHaveProperty(['fingerprints_sha1.0']);
    const many = Array.from({ length: MAX_CHAIN_PREFERENCES + 1 }, (_, i) => i.toString(16).padStart(40, '0'));
    expect(problems([], set(many))).toHaveProperty('fingerprints_sha1');
  });

  it('adds a known CA certificate at the end, once', () => {
    spec.given([policy([A])]).when({ type: 'AddChainPreference', fingerprintSha1: B, isKnown: true, now: NOW }).then([policy([A, B])]);
    expect(problems([policy([A])], { type: 'AddChainPreference', fingerprintSha1: A, isKnown: true, now: NOW })).toEqual({ fingerprint_sha1: 'is already in the list' });
    expect(problems([], { type: 'AddChainPreference', fingerprintSha1: B, isKnown: false, now: NOW })).toEqual({ fingerprint_sha1: 'is not a known CA certificate' });
  });

  it('removes the entry in a slot only when the slot still holds that fingerprint', () => {
    spec.given([policy([A, B, C])]).when({ type: 'RemoveChainPreference', slot: 2, fingerprintSha1: B, now: NOW }).then([policy([A, C])]);
    expect(problems([policy([A, B])], { type: 'RemoveChainPreference', slot: 1, fingerprintSha1: B, now: NOW })).toHaveProperty('slot');
    expect(problems([policy([A])], { type: 'RemoveChainPreference', slot: 3, fingerprintSha1: A, now: NOW })).toHaveProperty('slot');
  });

  it('moves an entry up or down by one, not past either end', () => {
    const prioritize = (slot: number, fingerprintSha1: string, priority: 'increase' | 'decrease'): ChainPreferenceCommand =>
      ({ type: 'PrioritizeChainPreference', slot, fingerprintSha1, priority, now: NOW });
    spec.given([policy([A, B, C])]).when(prioritize(3, C, 'increase')).then([policy([A, C, B])]);
    spec.given([policy([A, B, C])]).when(prioritize(1, A, 'decrease')).then([policy([B, A, C])]);
    expect(problems([policy([A, B])], prioritize(1, A, 'increase'))).toEqual({ priority: 'the entry is already the first' });
    expect(problems([policy([A, B])], prioritize(2, B, 'decrease'))).toEqual({ priority: 'the entry is already the last' });
    expect(problems([policy([A, B])], prioritize(2, A, 'increase'))).toHaveProperty('slot');
  });
});
