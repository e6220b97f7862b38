import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { AcmeAccountKeyFacts, AcmeAccountOrderDefaults } from './defaults.js';
import type { AcmeFailure } from './failure.js';

type Failed = { ok: false; failure: AcmeFailure };

export type CreateAcmeAccount = {
  type: 'CreateAcmeAccount';
  acmeAccountId: string;
  acmeServerId: string;
  key: AcmeAccountKeyFacts;
  contact: string[];
  orderDefaults: AcmeAccountOrderDefaults;
  now: string;
};

/** The outcome of a request already made: the decider records it with its exchanges. */
type Recording<T extends string, R> = {
  type: T;
  acmeAccountId: string;
  result: R | Failed;
  exchanges: AcmeExchangeRecorded[];
  now: string;
};

export type RecordAcmeAccountRegistration = Recording<'RecordAcmeAccountRegistration', {
  ok: true;
  accountUrl: string;
  created: boolean;
  status: string;
  contact: string[];
  termsOfServiceAgreed: boolean;
  externalAccountBindingKeyId: string | null;
}>;

export type RecordAcmeAccountCheck = Recording<'RecordAcmeAccountCheck', {
  ok: true;
  result: 'valid' | 'not_found' | 'deactivated';
  accountUrl: string | null;
}>;

export type RecordAcmeAccountContactUpdate = Recording<'RecordAcmeAccountContactUpdate', { ok: true; contact: string[] }>;

export type RecordAcmeAccountKeyRollover = Recording<'RecordAcmeAccountKeyRollover', { ok: true; newKey: AcmeAccountKeyFacts }>;

export type RecordAcmeAccountDeactivation = Recording<'RecordAcmeAccountDeactivation', { ok: true }>;

export type ChangeAcmeAccountOrderDefaults = {
  type: 'ChangeAcmeAccountOrderDefaults';
  acmeAccountId: string;
  orderDefaults: Partial<AcmeAccountOrderDefaults>;
  now: string;
};

export type AcmeAccountCommand =
  | CreateAcmeAccount
  | RecordAcmeAccountRegistration
  | RecordAcmeAccountCheck
  | RecordAcmeAccountContactUpdate
  | RecordAcmeAccountKeyRollover
  | RecordAcmeAccountDeactivation
  | ChangeAcmeAccountOrderDefaults;

export type ClaimAcmeAccountKey = {
  type: 'ClaimAcmeAccountKey';
  keyId: string;
  acmeAccountId: string;
  now: string;
};
