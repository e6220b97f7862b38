import { describe, expect, it } from 'vitest';
import type { AcmeAccountCommand } from '../../src/domain/acme-account/commands.js';
import { acmeAccountDecider, assertAcmeAccountCan } from '../../src/domain/acme-account/decider.js';
import type { AcmeAccountKeyFacts } from '../../src/domain/acme-account/defaults.js';
import type { AcmeAccountEvent } from '../../src/domain/acme-account/events.js';
import { acmeAccountKeyClaimDecider, AcmeAccountKeyInUseError } from '../../src/domain/acme-account/key-claim-decider.js';
import type { AcmeExchangeRecorded } from '../../src/domain/acme/exchange.js';
import { fold } from '../../src/domain/shared/decider.js';
import { IllegalStateError, NotFoundError } from '../../src/domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOW = '2026-01-02T03:04:05.000Z';
const ID = '33333333-3333-8333-8333-333333333333';
const SERVER = '11111111-1111-8111-8111-111111111111';
const URL = 'https://ca.example.test/acct/1';
const key = (n: string): AcmeAccountKeyFacts => ({ keyId: `k-${n}`, keyTechnology: 'EC_P256', jwkThumbprint: `t-${n}`, spkiSha256: n.repeat(64), source: 'generated' });
const defaults = { privateKeyTechnology: 'EC_P256' as const, privateKeyCycle: 'single_use' as const };
const exchange = (requestKind: string, status: number): AcmeExchangeRecorded => ({
  type: 'AcmeExchangeRecorded',
  data: { requestKind, method: 'POST', url: URL, attempt: 1, retrying: false, startedAt: NOW, durationMs: 5, status, links: [] },
});
const problem = { problem: { type: 'urn:ietf:params:acme:error:unauthorized', status: 403, detail: 'no' } };

const created: AcmeAccountEvent = { type: 'AcmeAccountCreated', data: { acmeAccountId: ID, acmeServerId: SERVER, key: key('a'), contact: ['mailto:a@example.test'], orderDefaults: defaults, createdAt: NOW } };
const registered: AcmeAccountEvent = {
  type: 'AcmeAccountRegistered',
  data: { acmeAccountId: ID, accountUrl: URL, created: true, status: 'valid', contact: ['mailto:a@example.test'], termsOfServiceAgreed: true, externalAccountBindingKeyId: null, registeredAt: NOW },
};
const create = (k = key('a'), acmeServerId = SERVER): AcmeAccountCommand => ({ type: 'CreateAcmeAccount', acmeAccountId: ID, acmeServerId, key: k, contact: ['mailto:a@example.test'], orderDefaults: defaults, now: NOW });
const stateOf = (events: AcmeAccountEvent[]) => fold(acmeAccountDecider, events);

describe('ACME account decider', () => {
  const spec = deciderSpec(acmeAccountDecider);

  it('creates once; the same key again is a no-op; another key or server under the id is refused', () => {
    spec.given([]).when(create()).then([created]);
    spec.given([created]).when(create()).then([]);
    spec.given([created]).when(create(key('b'))).thenThrows(IllegalStateError);
    spec.given([created]).when(create(key('a'), '22222222-2222-8222-8222-222222222222')).thenThrows(IllegalStateError);
  });

  it('records a registration (exchanges first) or its failure; the account is valid only after success', () => {
    const ex = exchange('newAccount', 201);
    const ok = { ok: true as const, accountUrl: URL, created: true, status: 'valid', contact: ['mailto:a@example.test'], termsOfServiceAgreed: true, externalAccountBindingKeyId: null };
    spec.given([created]).when({ type: 'RecordAcmeAccountRegistration', acmeAccountId: ID, result: ok, exchanges: [ex], now: NOW }).then([ex, registered]);
    const fail = exchange('newAccount', 403);
    spec.given([created]).when({ type: 'RecordAcmeAccountRegistration', acmeAccountId: ID, result: { ok: false, failure: problem }, exchanges: [fail], now: NOW })
      .then([fail, { type: 'AcmeAccountOperationFailed', data: { acmeAccountId: ID, operation: 'register', failure: problem, failedAt: NOW } }]);
    spec.given([]).when({ type: 'RecordAcmeAccountRegistration', acmeAccountId: ID, result: ok, exchanges: [], now: NOW }).thenThrows(NotFoundError);
    expect(stateOf([created]).status).toBe('unregistered');
    expect(stateOf([created, registered])).toMatchObject({ status: 'valid', accountUrl: URL });
  });

  it('follows checks: not_found unregisters, deactivated is final', () => {
    const check = (result: 'valid' | 'not_found' | 'deactivated'): AcmeAccountEvent => ({ type: 'AcmeAccountChecked', data: { acmeAccountId: ID, result, accountUrl: result === 'not_found' ? null : URL, checkedAt: NOW } });
    expect(stateOf([created, registered, check('not_found')])).toMatchObject({ status: 'unregistered', accountUrl: null });
    expect(stateOf([created, check('valid')])).toMatchObject({ status: 'valid', accountUrl: URL });
    expect(stateOf([created, registered, check('deactivated')]).status).toBe('deactivated');
    spec.given([created, registered]).when({ type: 'RecordAcmeAccountCheck', acmeAccountId: ID, result: { ok: true, result: 'valid', accountUrl: URL }, exchanges: [], now: NOW })
      .then([check('valid')]);
  });

  it('rolls the key over, keeping the old key id as retired', () => {
    const rolled: AcmeAccountEvent = { type: 'AcmeAccountKeyRolledOver', data: { acmeAccountId: ID, oldKeyId: 'k-a', newKey: key('b'), rolledOverAt: NOW } };
    spec.given([created, registered]).when({ type: 'RecordAcmeAccountKeyRollover', acmeAccountId: ID, result: { ok: true, newKey: key('b') }, exchanges: [], now: NOW }).then([rolled]);
    expect(stateOf([created, registered, rolled])).toMatchObject({ key: key('b'), retiredKeyIds: ['k-a'] });
  });

  it('updates the contact, deactivates, and changes order defaults only when they change', () => {
    spec.given([created, registered]).when({ type: 'RecordAcmeAccountContactUpdate', acmeAccountId: ID, result: { ok: true, contact: ['mailto:b@example.test'] }, exchanges: [], now: NOW })
      .then([{ type: 'AcmeAccountContactUpdated', data: { acmeAccountId: ID, contact: ['mailto:b@example.test'], previousContact: ['mailto:a@example.test'], updatedAt: NOW } }]);
    spec.given([created, registered]).when({ type: 'RecordAcmeAccountDeactivation', acmeAccountId: ID, result: { ok: true }, exchanges: [], now: NOW })
      .then([{ type: 'AcmeAccountDeactivated', data: { acmeAccountId: ID, deactivatedAt: NOW } }]);
    spec.given([created]).when({ type: 'ChangeAcmeAccountOrderDefaults', acmeAccountId: ID, orderDefaults: { privateKeyCycle: 'single_use' }, now: NOW }).then([]);
    spec.given([created]).when({ type: 'ChangeAcmeAccountOrderDefaults', acmeAccountId: ID, orderDefaults: { privateKeyCycle: 'account_daily' }, now: NOW }).then([{
      type: 'AcmeAccountOrderDefaultsChanged',
      data: { acmeAccountId: ID, orderDefaults: { privateKeyTechnology: 'EC_P256', privateKeyCycle: 'account_daily' }, previous: defaults, changedAt: NOW },
    }]);
    spec.given([]).when({ type: 'ChangeAcmeAccountOrderDefaults', acmeAccountId: ID, orderDefaults: {}, now: NOW }).thenThrows(NotFoundError);
  });

  it('says which requests an account may send', () => {
    const deactivated: AcmeAccountEvent = { type: 'AcmeAccountDeactivated', data: { acmeAccountId: ID, deactivatedAt: NOW } };
    expect(() => assertAcmeAccountCan(stateOf([]), 'check', ID)).toThrow(NotFoundError);
    expect(() => assertAcmeAccountCan(stateOf([created]), 'updateContact', ID)).toThrow(IllegalStateError);
    expect(assertAcmeAccountCan(stateOf([created]), 'register', ID).status).toBe('unregistered');
    expect(assertAcmeAccountCan(stateOf([created, registered]), 'keyChange', ID).accountUrl).toBe(URL);
    expect(() => assertAcmeAccountCan(stateOf([created, registered, deactivated]), 'register', ID)).toThrow(IllegalStateError);
    expect(assertAcmeAccountCan(stateOf([created, registered, deactivated]), 'check', ID).status).toBe('deactivated');
  });
});

describe('account key claims', () => {
  const spec = deciderSpec(acmeAccountKeyClaimDecider);
  const claimed = { type: 'AcmeAccountKeyClaimed' as const, data: { keyId: 'k-a', acmeAccountId: ID, claimedAt: NOW } };

  it('binds a key to one account for good', () => {
    spec.given([]).when({ type: 'ClaimAcmeAccountKey', keyId: 'k-a', acmeAccountId: ID, now: NOW }).then([claimed]);
    spec.given([claimed]).when({ type: 'ClaimAcmeAccountKey', keyId: 'k-a', acmeAccountId: ID, now: NOW }).then([]);
    spec.given([claimed]).when({ type: 'ClaimAcmeAccountKey', keyId: 'k-a', acmeAccountId: 'other', now: NOW }).thenThrows(AcmeAccountKeyInUseError);
  });
});
