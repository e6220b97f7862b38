import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../../src/domain/shared/ids.js';
import { certledger, cliEnv } from '../support/cli.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain, type TestChain } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;

describe('crypto-shredding a private key (PostgreSQL)', () => {
  const masterKey = randomBytes(32);
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('postgres', { masterKey });
  });
  afterAll(async () => stack?.close());

  const upload = async (chain: TestChain) => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    return { status: res.status, body: await json(res) };
  };
  const shred = (keyId: string, body: unknown) => fetch(`${stack.admin.url}/api/v1/private-keys/${keyId}/shred`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const served = async (name: string) => (await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${name}/config.json`))).certificate_signed__latest_single;

  it('destroys the key, moves its domain to the next certificate, keeps the history, and refuses the key again', async () => {
    const name = 'shred.example.test';
    const newer = await createTestChain({ names: [name], notAfter: new Date(Date.now() + 80 * DAY) });
    const older = await createTestChain({ names: [name], notAfter: new Date(Date.now() + 40 * DAY) });
    const a = await upload(newer);
    const b = await upload(older);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const keyId: string = a.body.private_key.id;
    expect((await served(name)).id).toBe(a.body.certificate.id);
    expect((await fetch(`${stack.admin.url}/api/v1/private-keys/${keyId}/key.pem`)).status).toBe(200);

    // Bad input changes nothing.
    const head = await stack.deps.store.headPosition();
    const refused = await shred(keyId, { reason: '   ' });
    expect(refused.status).toBe(400);
    expect((await json(refused)).form_errors).toHaveProperty('reason');
    expect(await stack.deps.store.headPosition()).toBe(head);
    expect((await served(name)).id).toBe(a.body.certificate.id);

    const res = await shred(keyId, { reason: 'customer left; contract says destroy keys' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      result: 'success', changed: true, deactivated_certificate_ids: [a.body.certificate.id],
      private_key: { id: keyId, is_shredded: true },
      certificates: [{ id: a.body.certificate.id, is_active: false }],
    });
    expect((await served(name)).id).toBe(b.body.certificate.id);

    // The key is gone; the certificate and the history stay.
    const download = await fetch(`${stack.admin.url}/api/v1/private-keys/${keyId}/key.pem`);
    expect(download.status).toBe(409);
    expect((await json(download)).message).toMatch(/shredded/);
    expect((await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/${a.body.certificate.id}/cert.pem`)).status).toBe(200);
    const events = (await stack.deps.store.readStream(streams.privateKey(keyId))).map((e) => e.type);
    expect(events).toEqual(['PrivateKeyImported', 'PrivateKeyShredded']);
    const certificateEvents = await stack.deps.store.readStream(streams.certificate(a.body.certificate.id));
    expect(certificateEvents.at(-1)).toMatchObject({ type: 'CertificateDeactivated', data: { reason: 'private key shredded: customer left; contract says destroy keys' } });

    // Idempotent, and the key cannot come back through an upload.
    const again = await json(await shred(keyId, { reason: 'again' }));
    expect(again).toMatchObject({ changed: false, deactivated_certificate_ids: [] });
    expect((await stack.deps.store.readStream(streams.privateKey(keyId))).length).toBe(2);
    const reupload = await upload(newer);
    expect(reupload.status).toBe(409);
    expect(reupload.body.message).toMatch(/shredded/);

    expect((await shred('0b7e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', { reason: 'x' })).status).toBe(404);
  });

  it('certledger keys shred does the same from the command line', async () => {
    const chain = await createTestChain({ names: ['shred-cli.example.test'] });
    const up = await upload(chain);
    const keyId: string = up.body.private_key.id;
    const env = cliEnv(stack, masterKey);
    const missingReason = await certledger(['keys', 'shred', keyId], env);
    expect(missingReason.code).not.toBe(0);
    expect(missingReason.stderr).toMatch(/--reason/);
    const done = await certledger(['--json', 'keys', 'shred', keyId, '--reason', 'rotated out'], env, 120_000);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ changed: true, deactivated_certificate_ids: [up.body.certificate.id], private_key: { is_shredded: true } });
    await expect(stack.deps.vault.get(keyId)).rejects.toThrow(/shredded/);
  }, 180_000);
});
