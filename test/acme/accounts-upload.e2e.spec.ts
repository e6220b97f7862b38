/** Uploading account keys (PEM, certbot's account files) and the peter_sslers routes, against the real Pebble. */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeSigner, createAcmeTransport, type AcmeTransport } from '../../src/infra/acme/index.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { connectPebble } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
let stack: TestStack;
let api: string;
let compat: string;
let transport: AcmeTransport;

const post = (path: string, body?: unknown) => fetch(`${api}${path}`, {
  method: 'POST',
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});
const postForm = (path: string, fields: Record<string, string>) => fetch(`${compat}${path}`, { method: 'POST', body: form(fields) });
const rsaPem = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** certbot's account folder, for a key certbot registered at the CA (as `certbot register` would). */
async function certbotAccount(contact: string) {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const signer = await createAcmeSigner(key);
  const { newAccount } = await transport.directory();
  const created = await transport.post(newAccount, { termsOfServiceAgreed: true, contact: [`mailto:${contact}`] }, signer, { kind: 'newAccount' });
  return {
    accountUrl: created.location!,
    thumbprint: signer.thumbprint,
    files: {
      private_key: JSON.stringify(key.export({ format: 'jwk' })),
      regr: JSON.stringify({ body: { contact: [`mailto:${contact}`], status: 'valid' }, uri: created.location }),
      meta: JSON.stringify({ creation_dt: '2025-01-02T03:04:05Z', creation_host: 'certbot.example.test', register_to_eff: null }),
    },
  };
}

beforeAll(async () => {
  stack = await startTestStack('pglite', { pebble });
  api = `${stack.admin.url}/api/v1`;
  compat = `${stack.admin.url}/.well-known/peter_sslers`;
  transport = createAcmeTransport({ directoryUrl: pebble.directoryUrl, ca: pebble.caPem, userAgent: 'certbot-stand-in/0' });
});
afterAll(async () => {
  await transport?.close();
  await stack?.close();
});

describe('uploading account keys', () => {
  it('uploads a PEM key (registered at Pebble on upload); the same key again is the same account', async () => {
    const pem = rsaPem(3072);
    const res = await post('/acme-accounts/upload', { key_pem: pem, contact: 'pem@example.test' });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ created: true, created_at_acme_server: true, acme_account: { status: 'valid', key: { technology: 'RSA_3072', source: 'uploaded_pem' }, contact: ['mailto:pem@example.test'] } });
    const again = await post('/acme-accounts/upload', { key_pem: pem });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ created: false, created_at_acme_server: false, acme_account: { id: body.acme_account.id } });
  });

  it('uploads a certbot account: the server found by its account URL, the CA account reused', async () => {
    const certbot = await certbotAccount('certbot@example.test');
    const res = await post('/acme-accounts/upload', { certbot: certbot.files, order_defaults: { private_key_technology: 'RSA_2048', private_key_cycle: 'single_use__reuse_1_year' } });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      created_at_acme_server: false,
      acme_account: {
        acme_server_id: stack.acmeServerId, account_url: certbot.accountUrl, contact: ['mailto:certbot@example.test'],
        key: { technology: 'RSA_2048', source: 'uploaded_certbot', jwk_thumbprint: certbot.thumbprint },
        order_defaults: { private_key_technology: 'RSA_2048', private_key_cycle: 'single_use__reuse_1_year' },
      },
    });
  });

  it('refuses one key for two accounts (409), and bad keys naming the field (400)', async () => {
    const pem = rsaPem(2048);
    const first = await json(await post('/acme-accounts/upload', { key_pem: pem }));
    // A second ACME server (the same Pebble under another directory URL) cannot take the key.
    const other = await json(await post('/acme-servers', { directory_url: `${pebble.directoryUrl}?second`, ca_bundle_pem: pebble.caPem }));
    const conflict = await post('/acme-accounts/upload', { key_pem: pem, acme_server_id: other.acme_server.id });
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).message).toContain(first.acme_account.id);

    const cases: [object, string][] = [
      [{ key_pem: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n' }, 'key_pem'],
      [{ key_pem: rsaPem(1024) }, 'key_pem'],
      [{ key_pem: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, 'key_pem'],
      [{ key_pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, 'key_pem'],
      [{}, 'key_pem'],
      [{ certbot: { private_key: '{not json' } }, 'certbot.private_key'],
      [{ certbot: { private_key: JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })) } }, 'certbot.private_key'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/acme-accounts/upload', body);
      expect(res.status, field).toBe(400);
      expect((await json(res)).form_errors, JSON.stringify(body).slice(0, 60)).toHaveProperty([field]);
    }
    const text = JSON.stringify((await stack.deps.store.readAll({ maxCount: 10_000 })).map((e) => e.data));
    expect(text).not.toMatch(/PRIVATE KEY|"d":"/);
  });
});

describe('peter_sslers routes', () => {
  it('lists ACME servers and creates, shows, edits, checks, key-changes and deactivates an account', async () => {
    const servers = await json(await fetch(`${compat}/acme-servers.json`));
    expect(servers.AcmeServers[stack.acmeServerId!]).toMatchObject({ url: pebble.directoryUrl, is_default: true, protocol: 'acme-v2' });
    expect((await json(await fetch(`${compat}/acme-server/${stack.acmeServerId}.json`))).AcmeServer.id).toBe(stack.acmeServerId);

    const created = await json(await postForm('/acme-account/new.json', {
      acme_server_id: stack.acmeServerId!, account__contact: 'compat@example.test', account__private_key_technology: 'EC_P384',
      account__order_default_private_key_cycle: 'account_daily', account__order_default_private_key_technology: 'EC_P256',
    }));
    expect(created).toMatchObject({ result: 'success', is_created: true, AcmeAccount: { contact: 'compat@example.test', private_key_technology: 'EC_P384', order_default_private_key_cycle: 'account_daily', is_active: true } });
    const id = created.AcmeAccount.id;

    const focus = await json(await fetch(`${compat}/acme-account/${id}.json`));
    expect(focus.raw.pem).toBe(`/.well-known/peter_sslers/acme-account/${id}/key.pem`);
    const keyPem = await (await fetch(`${compat}/acme-account/${id}/key.pem`)).text();
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(focus.AcmeAccount.AcmeAccountKey.key_pem_md5).toBe(md5(keyPem));
    const list = await json(await fetch(`${compat}/acme-accounts.json`));
    expect(list.AcmeAccounts[id]).toBeDefined();
    expect(list.pagination).toMatchObject({ total_items: expect.any(Number), page: 1 });
    expect((await json(await fetch(`${compat}/acme-server/${stack.acmeServerId}/acme-accounts.json`))).AcmeAccounts.some((a: { id: string }) => a.id === id)).toBe(true);

    const edited = await json(await postForm(`/acme-account/${id}/edit.json`, { account__order_default_private_key_cycle: 'global_weekly', account__order_default_private_key_technology: 'RSA_4096' }));
    expect(edited.AcmeAccount).toMatchObject({ order_default_private_key_cycle: 'global_weekly', order_default_private_key_technology: 'RSA_4096' });

    expect(await json(await fetch(`${compat}/acme-account/${id}/acme-server/check.json`, { method: 'POST' }))).toMatchObject({ is_checked: true, result: 'success' });
    expect((await json(await fetch(`${compat}/acme-account/${id}/acme-server/authenticate.json`, { method: 'POST' }))).AcmeAccount.id).toBe(id);

    const wrong = await postForm(`/acme-account/${id}/acme-server/key-change.json`, { key_pem_existing: md5('something else') });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).form_errors).toHaveProperty('key_pem_existing');
    const changed = await json(await postForm(`/acme-account/${id}/acme-server/key-change.json`, { key_pem_existing: md5(keyPem) }));
    expect(changed.AcmeAccount.AcmeAccountKey.id).not.toBe(focus.AcmeAccount.AcmeAccountKey.id);
    expect(changed.AcmeAccount.private_key_technology).toBe('EC_P384');

    const newPem = await (await fetch(`${compat}/acme-account/${id}/key.pem`)).text();
    const deactivated = await json(await postForm(`/acme-account/${id}/acme-server/deactivate.json`, { key_pem: newPem }));
    expect(deactivated.AcmeAccount).toMatchObject({ is_active: false, is_deactivated: expect.any(String), status: 'deactivated' });
  });

  it('uploads a certbot account as group B files, and a PEM as group A', async () => {
    const certbot = await certbotAccount('groupb@example.test');
    const res = await postForm('/acme-account/upload.json', {
      account_key_file_le_pkey: certbot.files.private_key, account_key_file_le_reg: certbot.files.regr, account_key_file_le_meta: certbot.files.meta,
      account__order_default_private_key_cycle: 'single_use', account__order_default_private_key_technology: 'EC_P256',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ result: 'success', is_created: true, AcmeAccount: { account_url: certbot.accountUrl, contact: 'groupb@example.test' } });

    const missing = await postForm('/acme-account/upload.json', { account_key_file_le_pkey: certbot.files.private_key });
    expect(Object.keys((await json(missing)).form_errors).sort()).toEqual(['account_key_file_le_meta', 'account_key_file_le_reg']);
    const noServer = await postForm('/acme-account/upload.json', { account_key_file_pem: rsaPem(2048) });
    expect((await json(noServer)).form_errors).toHaveProperty('acme_server_id');
    const groupA = await postForm('/acme-account/upload.json', { account_key_file_pem: rsaPem(2048), acme_server_id: stack.acmeServerId!, account__contact: 'a@example.test' });
    expect(await json(groupA)).toMatchObject({ is_created: true, AcmeAccount: { contact: 'a@example.test', AcmeAccountKey: { acme_account_key_source: 'uploaded_pem' } } });
    expect((await fetch(`${compat}/acme-account/00000000-0000-8000-8000-000000000000.json`)).status).toBe(404);
  });
});
