import type { Event } from '../shared/event.js';
import type { KeyTechnology } from '../shared/x509-facts.js';

/** Only public facts: the key material itself sits encrypted in the key vault under `privateKeyId`. */
export type PrivateKeyImported = Event<'PrivateKeyImported', {
  privateKeyId: string;
  keyTechnology: KeyTechnology;
  spkiSha256: string;
  source: 'upload' | 'import' | 'generated';
  importedAt: string;
}>;

export type PrivateKeyCompromiseMarked = Event<'PrivateKeyCompromiseMarked', {
  privateKeyId: string;
  reason: string;
  actor: string;
  markedAt: string;
}>;

/** Its data key was destroyed in the vault: the key is gone for good, its history stays. */
export type PrivateKeyShredded = Event<'PrivateKeyShredded', {
  privateKeyId: string;
  reason: string;
  actor: string;
  shreddedAt: string;
}>;

export type PrivateKeyEvent = PrivateKeyImported | PrivateKeyCompromiseMarked | PrivateKeyShredded;
