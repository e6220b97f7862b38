/** Replace the whole ordered list (the native API). */
export type SetChainPreferencePolicy = {
  type: 'SetChainPreferencePolicy';
  /** CA certificate SHA-1 fingerprints, lower-case hex, most preferred first. */
  fingerprintsSha1: string[];
  /** Which of them the catalog knows, looked up by the handler: unknown ones are refused. */
  knownFingerprintsSha1: string[];
  now: string;
};

/** peter_sslers `preferred/add`: append one CA certificate. */
export type AddChainPreference = {
  type: 'AddChainPreference';
  fingerprintSha1: string;
  isKnown: boolean;
  now: string;
};

/** peter_sslers `preferred/delete`: the slot (1-based) must still hold that fingerprint. */
export type RemoveChainPreference = {
  type: 'RemoveChainPreference';
  slot: number;
  fingerprintSha1: string;
  now: string;
};

/** peter_sslers `preferred/prioritize`: move one place up ('increase') or down ('decrease'). */
export type PrioritizeChainPreference = {
  type: 'PrioritizeChainPreference';
  slot: number;
  fingerprintSha1: string;
  priority: 'increase' | 'decrease';
  now: string;
};

export type ChainPreferenceCommand =
  | SetChainPreferencePolicy
  | AddChainPreference
  | RemoveChainPreference
  | PrioritizeChainPreference;
