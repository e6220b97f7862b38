import { createPrivateKey } from 'node:crypto';
import { IllegalStateError } from '../../domain/shared/errors.js';
import type { AcmeExchangeRecord } from '../../infra/acme/exchange.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { createAcmeSigner, createAcmeTransport, type AcmeSigner, type AcmeTransport, type AcmeTransportOptions } from '../../infra/acme/index.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { Logger } from '../../infra/logger.js';
import { loadAcmeAccount } from '../acme-account/load.js';
import { loadAcmeServer } from '../acme-server/load.js';
import { collectExchange } from './exchange-collector.js';
import type { AcmeSession, AcmeSessions } from './session.js';

export const ACME_USER_AGENT = 'certledger/0.1';

export type AcmeSessionsDeps = {
  store: EventStore;
  vault: KeyVault;
  logger: Logger;
  /** Told of every exchange (metrics); the exchange is recorded as an event either way. */
  observeExchange?: (record: AcmeExchangeRecord) => void;
  /** Transport tuning (timeouts, retries) for every server; tests shorten them. */
  transport?: Omit<Partial<AcmeTransportOptions>, 'directoryUrl' | 'ca' | 'onExchange'>;
};

/** A signer for an account key held in the vault (without kid: newAccount and lookups sign with jwk, §6.2). */
export async function vaultAccountSigner(vault: KeyVault, keyId: string): Promise<AcmeSigner> {
  const der = await vault.get(keyId);
  return createAcmeSigner(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
}

/**
 * One transport per ACME server (its nonce pool and directory cache shared by every account and
 * order on it), created on first use from the server's stream. Every exchange goes to
 * `collectExchange`, so each lands on the stream of the step that made it.
 * State is read from the event store, not the read model: a session opened right after a key
 * rollover already signs with the new key.
 */
export function createAcmeSessions(deps: AcmeSessionsDeps): AcmeSessions {
  const transports = new Map<string, Promise<AcmeTransport>>();
  let closed = false;

  const transportFor = (acmeServerId: string): Promise<AcmeTransport> => {
    if (closed) return Promise.reject(new IllegalStateError('ACME sessions are closed'));
    let pending = transports.get(acmeServerId);
    if (!pending) {
      pending = loadAcmeServer(deps.store, acmeServerId).then((server) => createAcmeTransport({
        userAgent: ACME_USER_AGENT,
        ...deps.transport,
        directoryUrl: server.directoryUrl,
        ...(server.caBundlePem === null ? {} : { ca: server.caBundlePem }),
        onExchange: deps.observeExchange
          ? (record: AcmeExchangeRecord) => {
            deps.observeExchange!(record);
            collectExchange(record);
          }
          : collectExchange,
      }));
      transports.set(acmeServerId, pending);
      // An unknown server is not cached: it may be registered a moment later.
      pending.catch(() => { if (transports.get(acmeServerId) === pending) transports.delete(acmeServerId); });
    }
    return pending;
  };

  return {
    transportFor,
    async open(accountId): Promise<AcmeSession> {
      const account = await loadAcmeAccount(deps.store, accountId);
      if (account.status === 'deactivated') throw new IllegalStateError(`ACME account ${accountId} is deactivated (RFC 8555 §7.3.6)`);
      if (account.status !== 'valid' || account.accountUrl === null) {
        throw new IllegalStateError(`ACME account ${accountId} is not registered with its ACME server`);
      }
      const [transport, signer] = await Promise.all([transportFor(account.acmeServerId), vaultAccountSigner(deps.vault, account.key.keyId)]);
      return { accountId, acmeServerId: account.acmeServerId, accountUrl: account.accountUrl, transport, signer: signer.withKid(account.accountUrl) };
    },
    async close() {
      closed = true;
      const all = [...transports.values()];
      transports.clear();
      await Promise.all(all.map((pending) => pending.then((t) => t.close(), () => undefined)));
      deps.logger.debug('acme sessions closed', { transports: all.length });
    },
  };
}
