import type { LifecycleMark } from '../certificate/lifecycle-mark.js';
import type { KeyTechnology } from '../shared/x509-facts.js';

export type ImportPrivateKey = {
  type: 'ImportPrivateKey';
  privateKeyId: string;
  keyTechnology: KeyTechnology;
  spkiSha256: string;
  source: 'upload' | 'import' | 'generated';
  now: string;
};

/** Permanent: every certificate using the key then needs replacing. */
export type MarkPrivateKeyCompromised = LifecycleMark & {
  type: 'MarkPrivateKeyCompromised';
  privateKeyId: string;
};

/** Permanent: the key material is destroyed; certificates on it stay in history. */
export type ShredPrivateKey = LifecycleMark & {
  type: 'ShredPrivateKey';
  privateKeyId: string;
};

export type PrivateKeyCommand = ImportPrivateKey | MarkPrivateKeyCompromised | ShredPrivateKey;
