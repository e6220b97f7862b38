import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { Event } from '../shared/event.js';
import type { AcmeAccountKeyFacts, AcmeAccountOrderDefaults } from './defaults.js';
import type { AcmeFailure } from './failure.js';

/** Known here, not yet at the CA: registration (newAccount) follows. */
export type AcmeAccountCreated = Event<'AcmeAccountCreated', {
  acmeAccountId: string;
  acmeServerId: string;
  key: AcmeAccountKeyFacts;
  contact: string[];
  orderDefaults: AcmeAccountOrderDefaults;
  createdAt: string;
}>;

/** RFC 8555 §7.3: newAccount answered 201 (created) or 200 (the key already had this account). */
export type AcmeAccountRegistered = Event<'AcmeAccountRegistered', {
  acmeAccountId: string;
  accountUrl: string;
  created: boolean;
  status: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  /** §7.3.4: the CA's key id only; the MAC key is never stored. */
  externalAccountBindingKeyId: string | null;
  registeredAt: string;
}>;

/** §7.3.1 `onlyReturnExisting`: what the CA knows of this key. */
export type AcmeAccountChecked = Event<'AcmeAccountChecked', {
  acmeAccountId: string;
  result: 'valid' | 'not_found' | 'deactivated';
  accountUrl: string | null;
  checkedAt: string;
}>;

export type AcmeAccountContactUpdated = Event<'AcmeAccountContactUpdated', {
  acmeAccountId: string;
  contact: string[];
  previousContact: string[];
  updatedAt: string;
}>;

/** §7.3.5: the CA now knows the account by `newKey`; the old key stays in the vault, unused. */
export type AcmeAccountKeyRolledOver = Event<'AcmeAccountKeyRolledOver', {
  acmeAccountId: string;
  oldKeyId: string;
  newKey: AcmeAccountKeyFacts;
  rolledOverAt: string;
}>;

/** §7.3.6: final; the CA refuses every later request of the account. */
export type AcmeAccountDeactivated = Event<'AcmeAccountDeactivated', {
  acmeAccountId: string;
  deactivatedAt: string;
}>;

export type AcmeAccountOrderDefaultsChanged = Event<'AcmeAccountOrderDefaultsChanged', {
  acmeAccountId: string;
  orderDefaults: AcmeAccountOrderDefaults;
  previous: AcmeAccountOrderDefaults;
  changedAt: string;
}>;

export type AcmeAccountOperation = 'register' | 'check' | 'updateContact' | 'keyChange' | 'deactivate';

/** A request the CA refused, or that never got an answer: the account itself is unchanged. */
export type AcmeAccountOperationFailed = Event<'AcmeAccountOperationFailed', {
  acmeAccountId: string;
  operation: AcmeAccountOperation;
  failure: AcmeFailure;
  failedAt: string;
}>;

export type AcmeAccountEvent =
  | AcmeAccountCreated
  | AcmeAccountRegistered
  | AcmeAccountChecked
  | AcmeAccountContactUpdated
  | AcmeAccountKeyRolledOver
  | AcmeAccountDeactivated
  | AcmeAccountOrderDefaultsChanged
  | AcmeAccountOperationFailed
  | AcmeExchangeRecorded;

/** On `acmeAccountKey-<keyId>`: the account this key serves, for good. */
export type AcmeAccountKeyClaimed = Event<'AcmeAccountKeyClaimed', {
  keyId: string;
  acmeAccountId: string;
  claimedAt: string;
}>;
