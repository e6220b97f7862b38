/** The AcmeSessions implementation against the real Pebble: what the order steps build on. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generatePreparedAccountKey } from '../../src/commands/acme-account/account-key.js';
import { acmeAccountIdFor, createAcmeAccount } from '../../src/commands/acme-account/create-acme-account.js';
import { acmeStep } from '../../src/commands/acme/exchange-collector.js';
import { DEFAULT_ORDER_DEFAULTS } from '../../src/domain/acme-account/defaults.js';
import { AcmeProblem } from '../../src/infra/acme/index.js';
import { IllegalStateError, NotFoundError } from '../../src/domain/shared/errors.js';
import { connectPebble } from '../support/pebble.js';
import { createTestAcmeAccount, startTestStack, type TestStack } from '../support/app.js';

const pebble = connectPebble(inject('pebble'));
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('pglite', { pebble });
});
afterAll(() => stack?.close());

describe('AcmeSessions', () => {
  it('opens a session for a registered account: kid = account URL, one transport per server', async () => {
    const accountId = await createTestAcmeAccount(stack);
    const session = await stack.deps.acme.open(accountId);
    expect(session.acmeServerId).toBe(stack.acmeServerId);
    expect(session.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(session.signer.kid).toBe(session.accountUrl);
    expect(session.transport).toBe(await stack.deps.acme.transportFor(stack.acmeServerId!));
    const step = await acmeStep(() => session.transport.post(session.accountUrl, '', session.signer, { kind: 'getAccount' }));
    expect(step.ok).toBe(true);
    expect(step.exchanges.some((e) => e.data.requestKind === 'getAccount' && e.data.status === 200)).toBe(true);
  });

  it('refuses unknown accounts (404) and unknown servers', async () => {
    await expect(stack.deps.acme.open('00000000-0000-8000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
    await expect(stack.deps.acme.transportFor('00000000-0000-8000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a session for an account the CA does not know yet (registration failed)', async () => {
    // A newAccount that cannot succeed: Pebble refuses a contact outside mailto (RFC 8555 §7.3, unsupportedContact).
    const key = await generatePreparedAccountKey('EC_P256');
    const failed = await createAcmeAccount(stack.deps, { key: { prepared: key }, contact: ['tel:+15551234'], orderDefaults: DEFAULT_ORDER_DEFAULTS })
      .then(() => undefined, (error: unknown) => error);
    expect(failed).toBeInstanceOf(AcmeProblem);
    const id = acmeAccountIdFor(key.facts.keyId);
    await expect(stack.deps.acme.open(id)).rejects.toBeInstanceOf(IllegalStateError);
    const events = await stack.deps.store.readStream(`acmeAccount-${id}`);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['AcmeAccountCreated', 'AcmeExchangeRecorded', 'AcmeAccountOperationFailed']));
  });
});
