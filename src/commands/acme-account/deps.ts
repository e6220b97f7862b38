import type { EventStore } from '../../infra/eventstore/port.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { AcmeSessions } from '../acme/session.js';

/** What the ACME server and account handlers need; a plain object, never the container. */
export type AcmeCommandDeps = {
  store: EventStore;
  vault: KeyVault;
  acme: AcmeSessions;
  now: () => Date;
};
