import type { KeyTechnology } from '../shared/x509-facts.js';

export type ImportPrivateKey = {
  type: 'ImportPrivateKey';
  privateKeyId: string;
  keyTechnology: KeyTechnology;
  spkiSha256: string;
  source: 'upload' | 'import';
  now: string;
};

export type PrivateKeyCommand = ImportPrivateKey;
