/** ACME servers and accounts over the native API, against the real Pebble (no mocks). */
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { vaultAccountSigner } from '../../src/commands/acme/sessions.js';
import { ACCOUNT_KEY_TECHNOLOGIES } from '../../src/domain/acme-account/defaults.js';
import { json, listenOn, startTestStack, type TestServer, type TestStack } from '../support/app.js';
import { connectPebble } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
let stack: TestStack;
let api: string;

const post = (path: string, body?: unknown, method = 'POST') => fetch(`${api}${path}`, {
  method,
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});
const get = (path: string) => fetch(`${api}${path}`);

beforeAll(async () => {
  stack = await startTestStack('pglite');
  api = `${stack.admin.url}/api/v1`;
});
afterAll(() => stack?.close());

let serverId: string;

describe('ACME servers', () => {
  it('registers Pebble (its CA bundle trusted), stores the directory with its hash, and makes it the default', async () => {
    const res = await post('/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem, name: 'pebble' });
    expect(res.status).toBe(201);
    const body = await json(res);
    serverId = body.acme_server.id;
    expect(body.acme_server).toMatchObject({
      name: 'pebble', directory_url: pebble.directoryUrl, is_default: true, external_account_required: false,
      directory_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), directory: { newAccount: expect.any(String), keyChange: expect.any(String) },
    });
    const again = await post('/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem });
    expect(again.status).toBe(200);
    expect((await json(again)).acme_server.id).toBe(serverId);
    const events = await stack.deps.store.readStream(`acmeServer-${serverId}`);
    expect(events.map((e) => e.type)).toEqual(['AcmeServerRegistered', 'AcmeExchangeRecorded', 'AcmeServerDirectoryFetched']);
    expect(events[1]!.data).toMatchObject({ requestKind: 'directory', method: 'GET', status: 200 });
  });

  it('refreshes the directory: no event while it is unchanged', async () => {
    const before = (await stack.deps.store.readStream(`acmeServer-${serverId}`)).length;
    const res = await post(`/acme-servers/${serverId}/refresh`);
    expect(res.status).toBe(200);
    expect((await json(res)).changed).toBe(false);
    expect(await stack.deps.store.readStream(`acmeServer-${serverId}`)).toHaveLength(before);
  });

  it('notices a changed directory, and moves the default (exactly one)', async () => {
    // A second CA whose directory we can change: plain HTTP, served by a real listener.
    let directory: Record<string, unknown> = { newNonce: 'http://127.0.0.1:1/n', newAccount: 'http://127.0.0.1:1/a', newOrder: 'http://127.0.0.1:1/o' };
    const app = express();
    app.get('/dir', (_req, res) => { res.json(directory); });
    const ca: TestServer = await listenOn(app);
    try {
      const res = await post('/acme-servers', { directory_url: `${ca.url}/dir`, name: 'mutable', is_default: true });
      expect(res.status).toBe(201);
      const other = (await json(res)).acme_server;
      expect(other.is_default).toBe(true);
      const list = await json(await get('/acme-servers'));
      expect(list.items.filter((s: { is_default: boolean }) => s.is_default).map((s: { id: string }) => s.id)).toEqual([other.id]);

      directory = { ...directory, meta: { externalAccountRequired: true, termsOfService: 'https://example.test/tos' } };
      const refreshed = await json(await post(`/acme-servers/${other.id}/refresh`));
      expect(refreshed.changed).toBe(true);
      expect(refreshed.acme_server).toMatchObject({ external_account_required: true, terms_of_service: 'https://example.test/tos', directory_changed_count: 1 });
      expect(refreshed.acme_server.directory_sha256).not.toBe(other.directory_sha256);
      const types = (await stack.deps.store.readStream(`acmeServer-${other.id}`)).map((e) => e.type);
      expect(types.slice(-2)).toEqual(['AcmeExchangeRecorded', 'AcmeServerDirectoryFetched']);
    } finally {
      await ca.close();
    }
    const back = await json(await post(`/acme-servers/${serverId}/make-default`));
    expect(back).toMatchObject({ changed: true, acme_server: { is_default: true } });
    const list = await json(await get('/acme-servers'));
    expect(list.items.filter((s: { is_default: boolean }) => s.is_default).map((s: { id: string }) => s.id)).toEqual([serverId]);
  });

  it('refuses a URL without a directory (400 naming directory_url) and answers 404 for unknown ids', async () => {
    const bad = await post('/acme-servers', { directory_url: 'https://127.0.0.1:1/dir' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors).toHaveProperty('directory_url');
    const untrusted = await post('/acme-servers', { directory_url: pebble.directoryUrl.replace('/dir', '/dir?x=1') });
    expect(untrusted.status).toBe(400);
    expect((await json(untrusted)).form_errors.directory_url).toMatch(/ACME directory/);
    const malformed = await post('/acme-servers', { directory_url: 'not a url', extra: 1 });
    expect((await json(malformed)).form_errors).toMatchObject({ directory_url: expect.any(String), extra: 'unknown field' });
    expect((await get('/acme-servers/00000000-0000-8000-8000-000000000000')).status).toBe(404);
    expect((await post('/acme-servers/nope/refresh')).status).toBe(404);
  });
});

describe('ACME accounts', () => {
  let accountId: string;

  it.each(ACCOUNT_KEY_TECHNOLOGIES)('creates an account with a generated %s key, registered at Pebble', async (technology) => {
    const res = await post('/acme-accounts', {
      key_technology: technology, contact: ['admin@example.test'], order_defaults: { private_key_technology: 'RSA_3072', private_key_cycle: 'account_weekly' },
    });
    expect(res.status).toBe(201);
    const { acme_account: account } = await json(res);
    expect(account).toMatchObject({
      acme_server_id: serverId, status: 'valid', contact: ['mailto:admin@example.test'],
      account_url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\//),
      key: { technology, source: 'generated', jwk_thumbprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      order_defaults: { private_key_technology: 'RSA_3072', private_key_cycle: 'account_weekly' },
    });
    // The key lives in the vault only; the signer built from it signs as the algorithm requires.
    const signer = await vaultAccountSigner(stack.deps.vault, account.key.id);
    expect(signer.alg).toBe(technology.startsWith('RSA') ? 'RS256' : technology === 'EC_P256' ? 'ES256' : 'ES384');
    expect(signer.thumbprint).toBe(account.key.jwk_thumbprint);
    const session = await stack.deps.acme.open(account.id);
    expect(session.accountUrl).toBe(account.account_url);
    accountId = account.id;
  }, 60_000);

  it('checks an account (onlyReturnExisting): it exists', async () => {
    const res = await post(`/acme-accounts/${accountId}/check`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.check).toBe('valid');
    expect(body.acme_account.last_check).toMatchObject({ result: 'valid' });
  });

  it('updates the contact at the CA', async () => {
    const res = await post(`/acme-accounts/${accountId}/contact`, { contact: ['ops@example.test', 'mailto:dev@example.test'] }, 'PUT');
    expect(res.status).toBe(200);
    expect((await json(res)).acme_account.contact).toEqual(['mailto:ops@example.test', 'mailto:dev@example.test']);
    const events = await stack.deps.store.readStream(`acmeAccount-${accountId}`);
    expect(events.at(-1)).toMatchObject({ type: 'AcmeAccountContactUpdated', data: { contact: ['mailto:ops@example.test', 'mailto:dev@example.test'] } });
    expect(events.at(-2)).toMatchObject({ type: 'AcmeExchangeRecorded', data: { requestKind: 'accountUpdate', status: 200 } });
  });

  it('changes the order defaults', async () => {
    const res = await post(`/acme-accounts/${accountId}/defaults`, { private_key_cycle: 'global_daily' }, 'PUT');
    expect((await json(res)).acme_account.order_defaults).toEqual({ private_key_technology: 'RSA_3072', private_key_cycle: 'global_daily' });
    const bad = await post(`/acme-accounts/${accountId}/defaults`, { private_key_cycle: 'account_default', private_key_technology: 'DSA' }, 'PUT');
    expect(bad.status).toBe(400);
    expect(Object.keys((await json(bad)).form_errors).sort()).toEqual(['private_key_cycle', 'private_key_technology']);
  });

  it('records every exchange on the account stream, with no key material', async () => {
    const res = await get(`/acme-accounts/${accountId}/exchanges`);
    expect(res.status).toBe(200);
    const { items, total } = await json(res);
    expect(total).toBe(items.length);
    const kinds = items.map((e: { data: { requestKind: string } }) => e.data.requestKind);
    expect(kinds).toEqual(expect.arrayContaining(['newAccount', 'accountLookup', 'accountUpdate']));
    for (const item of items) expect(item).toMatchObject({ type: 'AcmeExchangeRecorded', data: { method: expect.any(String), url: expect.any(String), durationMs: expect.any(Number) } });
    const all = JSON.stringify((await stack.deps.store.readStream(`acmeAccount-${accountId}`)).map((e) => e.data));
    expect(all).not.toMatch(/PRIVATE KEY|"d":"|"p":"|"q":"/);
    const events = await json(await get(`/acme-accounts/${accountId}/events`));
    expect(events.items[0].type).toBe('AcmeAccountCreated');
  });

  it('lists accounts with filters, and refuses bad input naming the field', async () => {
    const list = await json(await get(`/acme-accounts?acme_server_id=${serverId}&status=valid&limit=2`));
    expect(list).toMatchObject({ total: ACCOUNT_KEY_TECHNOLOGIES.length, limit: 2, offset: 0 });
    expect(list.items).toHaveLength(2);
    const badQuery = await get('/acme-accounts?status=maybe');
    expect((await json(badQuery)).form_errors).toHaveProperty('status');
    const cases: [unknown, string][] = [
      [{ key_technology: 'RSA_1024' }, 'key_technology'],
      [{ contact: ['not-an-email'] }, 'contact.0'],
      [{ acme_server_id: 'x' }, 'acme_server_id'],
      [{ acme_server_id: '00000000-0000-8000-8000-000000000000' }, 'acme_server_id'],
      [{ order_defaults: { private_key_cycle: 'sometimes' } }, 'order_defaults.private_key_cycle'],
      [{ eab: { kid: 'k' } }, 'eab.hmac_key'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/acme-accounts', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).form_errors, JSON.stringify(body)).toHaveProperty([field]);
    }
    const rollover = await post(`/acme-accounts/${accountId}/rollover`, { key_technology: 'EC_P521' });
    expect((await json(rollover)).form_errors).toHaveProperty('key_technology');
  });

  it('answers 404 for unknown accounts on every route', async () => {
    const unknown = '00000000-0000-8000-8000-000000000000';
    expect((await get(`/acme-accounts/${unknown}`)).status).toBe(404);
    expect((await get('/acme-accounts/not-an-id')).status).toBe(404);
    expect((await get(`/acme-accounts/${unknown}/exchanges`)).status).toBe(404);
    for (const path of ['check', 'rollover', 'deactivate', 'register']) expect((await post(`/acme-accounts/${unknown}/${path}`, {})).status, path).toBe(404);
    expect((await post(`/acme-accounts/${unknown}/contact`, { contact: [] }, 'PUT')).status).toBe(404);
    expect((await post(`/acme-accounts/${unknown}/defaults`, { private_key_cycle: 'single_use' }, 'PUT')).status).toBe(404);
  });
});
