/** Key rollover (RFC 8555 §7.3.5) and deactivation (§7.3.6) against the real Pebble. */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acmeStep } from '../../src/commands/acme/exchange-collector.js';
import { vaultAccountSigner } from '../../src/commands/acme/sessions.js';
import { IllegalStateError } from '../../src/domain/shared/errors.js';
import { AcmeProblem } from '../../src/infra/acme/index.js';
import { json, startTestStack, type TestStack } from '../support/app.js';
import { connectPebble } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
let stack: TestStack;
let api: string;

const post = (path: string, body?: unknown, method = 'POST') => fetch(`${api}${path}`, {
  method,
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});
const createAccount = async (body: object = {}) => (await json(await post('/acme-accounts', { contact: ['roll@example.test'], ...body }))).acme_account;
const problemOf = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected an ACME problem'); }, (error: unknown) => error as AcmeProblem);

beforeAll(async () => {
  // PostgreSQL here (the other account files run on PGlite): the projection's jsonb updates on both.
  stack = await startTestStack('postgres', { pebble });
  api = `${stack.admin.url}/api/v1`;
});
afterAll(() => stack?.close());

describe('key rollover', () => {
  it('rolls over to a new key: the new key works, Pebble refuses the old one, the old key stays in the vault', async () => {
    const account = await createAccount({ key_technology: 'EC_P256' });
    const res = await post(`/acme-accounts/${account.id}/rollover`, { key_technology: 'RSA_2048' });
    expect(res.status).toBe(200);
    const rolled = await json(res);
    expect(rolled.old_key_id).toBe(account.key.id);
    expect(rolled.acme_account).toMatchObject({ status: 'valid', account_url: account.account_url, key: { technology: 'RSA_2048', retired_key_ids: [account.key.id] } });
    expect(rolled.acme_account.key.id).not.toBe(account.key.id);

    const events = await stack.deps.store.readStream(`acmeAccount-${account.id}`);
    expect(events.at(-1)).toMatchObject({ type: 'AcmeAccountKeyRolledOver', data: { oldKeyId: account.key.id, newKey: { keyTechnology: 'RSA_2048' } } });
    expect(events.at(-2)).toMatchObject({ type: 'AcmeExchangeRecorded', data: { requestKind: 'keyChange', status: 200 } });

    // A request with the new key works (the session reads the stream: no projection lag).
    const session = await stack.deps.acme.open(account.id);
    expect(session.signer.thumbprint).toBe(rolled.acme_account.key.jwk_thumbprint);
    const read = await session.transport.post(session.accountUrl, '', session.signer, { kind: 'getAccount' });
    expect(read.body).toMatchObject({ status: 'valid', key: session.signer.publicJwk });
    expect((await json(await post(`/acme-accounts/${account.id}/check`))).check).toBe('valid');

    // The old key is kept, unused; Pebble no longer knows it.
    const old = await vaultAccountSigner(stack.deps.vault, account.key.id);
    const lookup = await problemOf(session.transport.post((await session.transport.directory()).newAccount, { onlyReturnExisting: true }, old, { kind: 'accountLookup' }));
    expect(lookup.is('accountDoesNotExist')).toBe(true);
    const refused = await problemOf(session.transport.post(session.accountUrl, '', old.withKid(session.accountUrl), { kind: 'getAccount' }));
    expect(refused).toBeInstanceOf(AcmeProblem);
    expect(refused.status).toBeGreaterThanOrEqual(400);
  });

  it('rolls over to an uploaded key, and refuses a key that serves another account (409)', async () => {
    const account = await createAccount({ key_technology: 'EC_P384' });
    const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const rolled = await json(await post(`/acme-accounts/${account.id}/rollover`, { key_pem: keyPem }));
    expect(rolled.acme_account.key).toMatchObject({ technology: 'EC_P256', source: 'uploaded_pem' });

    const other = await createAccount();
    const conflict = await post(`/acme-accounts/${other.id}/rollover`, { key_pem: keyPem });
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).message).toContain(account.id);
    const same = await post(`/acme-accounts/${account.id}/rollover`, { key_pem: keyPem });
    expect(same.status).toBe(400);
    expect((await json(same)).form_errors).toHaveProperty('key_pem');
  });
});

describe('deactivation', () => {
  it('deactivates at the CA; later requests are refused here and by Pebble, with the problem recorded', async () => {
    const account = await createAccount();
    const session = await stack.deps.acme.open(account.id);
    const res = await post(`/acme-accounts/${account.id}/deactivate`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ changed: true, acme_account: { status: 'deactivated', deactivated_at: expect.any(String) } });
    expect((await json(await post(`/acme-accounts/${account.id}/deactivate`))).changed).toBe(false);

    // certledger refuses to send more requests for it…
    await expect(stack.deps.acme.open(account.id)).rejects.toBeInstanceOf(IllegalStateError);
    const contact = await post(`/acme-accounts/${account.id}/contact`, { contact: ['x@example.test'] }, 'PUT');
    expect(contact.status).toBe(409);
    expect((await post(`/acme-accounts/${account.id}/rollover`, {})).status).toBe(409);

    // …and Pebble refuses them too.
    const step = await acmeStep(() => session.transport.post(session.accountUrl, '', session.signer, { kind: 'getAccount' }));
    expect(step.ok).toBe(false);
    expect((step as { error: unknown }).error).toBeInstanceOf(AcmeProblem);
    expect(((step as { error: AcmeProblem }).error).is('unauthorized')).toBe(true);

    // A check asks Pebble with the key: the deactivated answer is recorded with its problem document.
    const checked = await json(await post(`/acme-accounts/${account.id}/check`));
    expect(checked.check).toBe('deactivated');
    const events = await stack.deps.store.readStream(`acmeAccount-${account.id}`);
    expect(events.at(-1)).toMatchObject({ type: 'AcmeAccountChecked', data: { result: 'deactivated' } });
    expect(events.at(-2)).toMatchObject({
      type: 'AcmeExchangeRecorded',
      data: { requestKind: 'accountLookup', status: 403, problem: { type: 'urn:ietf:params:acme:error:unauthorized', detail: expect.stringMatching(/deactivated/) } },
    });
    expect(events.some((e) => e.type === 'AcmeAccountDeactivated')).toBe(true);
  });
});
