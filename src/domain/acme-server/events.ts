import type { AcmeFailure } from '../acme-account/failure.js';
import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { Event, JsonValue } from '../shared/event.js';

export type AcmeServerRegistered = Event<'AcmeServerRegistered', {
  acmeServerId: string;
  name: string;
  /** RFC 8555 §7.1.1: the only URL configured; every other one comes from the directory. */
  directoryUrl: string;
  /** PEM bundle trusted for the directory's TLS instead of the system roots; public certificates only. */
  caBundlePem: string | null;
  registeredAt: string;
}>;

/** Appended when the directory is first fetched and whenever its hash changes afterwards. */
export type AcmeServerDirectoryFetched = Event<'AcmeServerDirectoryFetched', {
  acmeServerId: string;
  directory: { [member: string]: JsonValue };
  /** SHA-256 (hex) of the directory's canonical JSON (keys sorted). */
  directorySha256: string;
  previousSha256: string | null;
  externalAccountRequired: boolean;
  termsOfService: string | null;
  fetchedAt: string;
}>;

export type AcmeServerDirectoryFetchFailed = Event<'AcmeServerDirectoryFetchFailed', {
  acmeServerId: string;
  failure: AcmeFailure;
  failedAt: string;
}>;

export type AcmeServerEvent =
  | AcmeServerRegistered
  | AcmeServerDirectoryFetched
  | AcmeServerDirectoryFetchFailed
  | AcmeExchangeRecorded;

/** On the `acmeServerDefault-global` stream. */
export type AcmeServerDefaultChanged = Event<'AcmeServerDefaultChanged', {
  acmeServerId: string;
  previousAcmeServerId: string | null;
  changedAt: string;
}>;
