import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { DnsProvider } from '../../infra/dns/port.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { Logger } from '../../infra/logger.js';
import type { ParsedPrivateKey } from '../../infra/x509/private-key.js';
import type { AcmeSessions } from '../acme/session.js';

/** How long and how often a step polls an authorization or order (RFC 8555 §7.5.1, §7.4). */
export type PollSettings = {
  /** Total wait of one step; past it the step returns and the order stays where it is (sync it later). */
  maxWaitMs: number;
  /** First pause; doubles up to maxDelayMs. A server's Retry-After is honoured when longer. */
  initialDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_POLL: PollSettings = { maxWaitMs: 60_000, initialDelayMs: 50, maxDelayMs: 2_000 };

export type AcmeOrderDeps = {
  store: EventStore;
  vault: KeyVault;
  db: Kysely<Database>;
  now: () => Date;
  acme: AcmeSessions;
  /** Read-your-writes: the http-01 answer must be servable before the CA is told to look. */
  projections: { waitFor: (position: bigint, options?: { timeoutMs?: number; projections?: readonly string[] }) => Promise<void> };
  /** Where dns-01 records go; orders with dns-01 names are refused without one. */
  dns?: DnsProvider;
  logger: Logger;
  poll?: Partial<PollSettings>;
  generateKey?: (keyTechnology: string) => Promise<ParsedPrivateKey>;
};
