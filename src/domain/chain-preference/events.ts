import type { Event } from '../shared/event.js';

/**
 * The whole policy as it now stands (not a delta): a chain whose top CA certificate has one of
 * these SHA-1 fingerprints is served before the CA's default, earlier entries first.
 */
export type ChainPreferencePolicySet = Event<'ChainPreferencePolicySet', {
  fingerprintsSha1: string[];
  setAt: string;
}>;

export type ChainPreferenceEvent = ChainPreferencePolicySet;
