import { describe, it } from 'vitest';
import type { FetchedDirectory, RegisterAcmeServer } from '../../src/domain/acme-server/commands.js';
import { acmeServerDecider } from '../../src/domain/acme-server/decider.js';
import { acmeServerDefaultDecider } from '../../src/domain/acme-server/default-decider.js';
import type { AcmeServerEvent } from '../../src/domain/acme-server/events.js';
import type { AcmeExchangeRecorded } from '../../src/domain/acme/exchange.js';
import { IllegalStateError, NotFoundError } from '../../src/domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOW = '2026-01-02T03:04:05.000Z';
const ID = '11111111-1111-8111-8111-111111111111';
const URL_A = 'https://ca.example.test/dir';
const fetched = (sha: string, eab = false): FetchedDirectory => ({ directory: { newAccount: 'https://ca.example.test/new', sha }, directorySha256: sha, externalAccountRequired: eab, termsOfService: null });
const exchange: AcmeExchangeRecorded = {
  type: 'AcmeExchangeRecorded',
  data: { requestKind: 'directory', method: 'GET', url: URL_A, attempt: 1, retrying: false, startedAt: NOW, durationMs: 3, status: 200, links: [] },
};
const register = (directoryUrl = URL_A): RegisterAcmeServer => ({
  type: 'RegisterAcmeServer', acmeServerId: ID, name: 'ca', directoryUrl, caBundlePem: null, fetched: fetched('a'.repeat(64)), exchanges: [exchange], now: NOW,
});
const registered: AcmeServerEvent = { type: 'AcmeServerRegistered', data: { acmeServerId: ID, name: 'ca', directoryUrl: URL_A, caBundlePem: null, registeredAt: NOW } };
const fetchedEvent = (sha: string, previous: string | null, eab = false): AcmeServerEvent => ({
  type: 'AcmeServerDirectoryFetched', data: { acmeServerId: ID, ...fetched(sha, eab), previousSha256: previous, fetchedAt: NOW },
});

describe('ACME server decider', () => {
  const spec = deciderSpec(acmeServerDecider);

  it('registers with the exchange and the first directory; again is a no-op; another URL under the id is refused', () => {
    spec.given([]).when(register()).then([registered, exchange, fetchedEvent('a'.repeat(64), null)]);
    spec.given([registered, fetchedEvent('a'.repeat(64), null)]).when(register()).then([]);
    spec.given([registered]).when(register('https://other.example.test/dir')).thenThrows(IllegalStateError);
  });

  it('records a refreshed directory only when its hash changed', () => {
    const given = [registered, exchange, fetchedEvent('a'.repeat(64), null)];
    const refresh = (sha: string, eab = false) => ({ type: 'RecordAcmeServerDirectoryFetch' as const, acmeServerId: ID, result: { ok: true as const, fetched: fetched(sha, eab) }, exchanges: [exchange], now: NOW });
    spec.given(given).when(refresh('a'.repeat(64))).then([]);
    spec.given(given).when(refresh('b'.repeat(64), true)).then([exchange, fetchedEvent('b'.repeat(64), 'a'.repeat(64), true)]);
    spec.given([]).when(refresh('a'.repeat(64))).thenThrows(NotFoundError);
  });

  it('records a failed fetch with its exchanges', () => {
    const failure = { error: { kind: 'connect', message: 'refused' } };
    spec.given([registered]).when({ type: 'RecordAcmeServerDirectoryFetch', acmeServerId: ID, result: { ok: false, failure }, exchanges: [exchange], now: NOW })
      .then([exchange, { type: 'AcmeServerDirectoryFetchFailed', data: { acmeServerId: ID, failure, failedAt: NOW } }]);
  });
});

describe('default ACME server decider', () => {
  const spec = deciderSpec(acmeServerDefaultDecider);
  const B = '22222222-2222-8222-8222-222222222222';
  const changed = (id: string, previous: string | null) => ({ type: 'AcmeServerDefaultChanged' as const, data: { acmeServerId: id, previousAcmeServerId: previous, changedAt: NOW } });

  it('makes the first server the default, keeps it on later registrations, and moves it on request', () => {
    spec.given([]).when({ type: 'MakeAcmeServerDefault', acmeServerId: ID, onlyIfNone: true, now: NOW }).then([changed(ID, null)]);
    spec.given([changed(ID, null)]).when({ type: 'MakeAcmeServerDefault', acmeServerId: B, onlyIfNone: true, now: NOW }).then([]);
    spec.given([changed(ID, null)]).when({ type: 'MakeAcmeServerDefault', acmeServerId: B, onlyIfNone: false, now: NOW }).then([changed(B, ID)]);
    spec.given([changed(ID, null)]).when({ type: 'MakeAcmeServerDefault', acmeServerId: ID, onlyIfNone: false, now: NOW }).then([]);
  });
});
