import type { AcmeSigner, AcmeTransport } from '../../infra/acme/index.js';

/** What an order step needs to talk to its CA as one account. */
export type AcmeSession = {
  accountId: string;
  acmeServerId: string;
  /** The account URL: the `kid` of every request after newAccount. */
  accountUrl: string;
  /** Shared per ACME server; its onExchange feeds `acmeStep`'s collector (exchange-collector.ts). */
  transport: AcmeTransport;
  signer: AcmeSigner;
};

export interface AcmeSessions {
  /** NotFoundError for an unknown account; IllegalStateError for one that is deactivated or not registered. */
  open(accountId: string): Promise<AcmeSession>;
  /** One transport per ACME server, created on first use. */
  transportFor(acmeServerId: string): Promise<AcmeTransport>;
  close(): Promise<void>;
}
