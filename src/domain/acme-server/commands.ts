import type { AcmeFailure } from '../acme-account/failure.js';
import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { JsonValue } from '../shared/event.js';

/** The directory as fetched, with its hash: computed by the handler (hashing is not the domain's). */
export type FetchedDirectory = {
  directory: { [member: string]: JsonValue };
  directorySha256: string;
  externalAccountRequired: boolean;
  termsOfService: string | null;
};

export type RegisterAcmeServer = {
  type: 'RegisterAcmeServer';
  acmeServerId: string;
  name: string;
  directoryUrl: string;
  caBundlePem: string | null;
  fetched: FetchedDirectory;
  exchanges: AcmeExchangeRecorded[];
  now: string;
};

export type RecordAcmeServerDirectoryFetch = {
  type: 'RecordAcmeServerDirectoryFetch';
  acmeServerId: string;
  result: { ok: true; fetched: FetchedDirectory } | { ok: false; failure: AcmeFailure };
  exchanges: AcmeExchangeRecorded[];
  now: string;
};

export type AcmeServerCommand = RegisterAcmeServer | RecordAcmeServerDirectoryFetch;

/** `onlyIfNone`: a registration makes the first server the default without taking it from another. */
export type MakeAcmeServerDefault = {
  type: 'MakeAcmeServerDefault';
  acmeServerId: string;
  onlyIfNone: boolean;
  now: string;
};
