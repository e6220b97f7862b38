/** External Account Binding (RFC 8555 §7.3.4) through the accounts API, against a second Pebble that requires it. */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from '../support/app.js';
import { startPebble, type PebbleInstance } from '../support/pebble.js';

// Pebble's own example key (docs/examples/pebble-config-external-account-bindings.json).
const MAC_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';

let pebble: PebbleInstance;
let stack: TestStack;
let api: string;

const post = (path: string, body?: unknown) => fetch(`${api}${path}`, {
  method: 'POST',
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

beforeAll(async () => {
  pebble = await startPebble({ ports: 'free', config: { externalAccountBindingRequired: true, externalAccountMACKeys: { 'kid-1': MAC_KEY } } });
  stack = await startTestStack('pglite', { pebble });
  api = `${stack.admin.url}/api/v1`;
});
afterAll(async () => {
  await stack?.close();
  await pebble?.stop();
});

describe('External Account Binding', () => {
  it('knows from the directory that the CA requires it, and asks for it before sending anything', async () => {
    const server = await json(await fetch(`${api}/acme-servers/${stack.acmeServerId}`));
    expect(server.external_account_required).toBe(true);
    const res = await post('/acme-accounts', { contact: ['eab@example.test'] });
    expect(res.status).toBe(400);
    expect((await json(res)).form_errors).toHaveProperty('eab');
    const badMac = await post('/acme-accounts', { eab: { kid: 'kid-1', hmac_key: 'not base64url!' } });
    expect((await json(badMac)).form_errors).toHaveProperty(['eab.hmac_key']);
  });

  it('creates an account bound to the key id; the MAC key is never stored', async () => {
    const res = await post('/acme-accounts', { contact: ['eab@example.test'], eab: { kid: 'kid-1', hmac_key: MAC_KEY } });
    expect(res.status).toBe(201);
    const { acme_account: account } = await json(res);
    expect(account).toMatchObject({ status: 'valid', external_account_binding_key_id: 'kid-1' });
    const events = await stack.deps.store.readAll({ maxCount: 10_000 });
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(MAC_KEY);
  });

  it('records a refused binding as the account problem; registering again with the right key works', async () => {
    const res = await post('/acme-accounts', { eab: { kid: 'kid-1', hmac_key: MAC_KEY.replace(/^z/, 'y') } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const body = await json(res);
    expect(body.code).toBe('acme_problem');
    expect(body.acme_problem.type).toMatch(/^urn:ietf:params:acme:error:/);
    const list = await json(await fetch(`${api}/acme-accounts?status=unregistered`));
    expect(list.items).toHaveLength(1);
    const failed = list.items[0];
    expect(failed.last_problem).toMatchObject({ operation: 'register', failure: { problem: { type: body.acme_problem.type } } });

    const registered = await post(`/acme-accounts/${failed.id}/register`, { eab: { kid: 'kid-1', hmac_key: MAC_KEY } });
    expect(registered.status).toBe(200);
    expect((await json(registered)).acme_account).toMatchObject({ status: 'valid', external_account_binding_key_id: 'kid-1' });
  });

  it('checks a key the CA does not know: not_found, with the problem in the exchange', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // An upload without EAB: the CA refuses to register it (externalAccountRequired → 422), the account stays unregistered.
    const upload = await post('/acme-accounts/upload', { key_pem: pem });
    expect(upload.status).toBe(422);
    expect((await json(upload)).acme_problem.type).toBe('urn:ietf:params:acme:error:externalAccountRequired');
    const id = (await json(await fetch(`${api}/acme-accounts?status=unregistered`))).items.find((a: { key: { source: string } }) => a.key.source === 'uploaded_pem').id;
    const checked = await json(await post(`/acme-accounts/${id}/check`));
    expect(checked).toMatchObject({ check: 'not_found', acme_account: { status: 'unregistered', last_check: { result: 'not_found' } } });
    const exchanges = (await json(await fetch(`${api}/acme-accounts/${id}/exchanges`))).items;
    expect(exchanges.at(-1).data).toMatchObject({ requestKind: 'accountLookup', status: 400, problem: { type: 'urn:ietf:params:acme:error:accountDoesNotExist' } });
  });
});
