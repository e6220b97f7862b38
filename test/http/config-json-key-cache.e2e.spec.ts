import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedPrivateKeyCount } from '../../src/http/queries/private-key-cache.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';

// config.json keeps decrypted keys in memory by private key id: the domain's certificate and the
// key's liveness are still read per request, so a new certificate or a shredded key shows at once.
describe.each(['pglite', 'postgres'] as const)('config.json with the private key cache (%s)', (kind) => {
  let stack: TestStack;
  let issuer: TestCa;

  beforeAll(async () => {
    stack = await startTestStack(kind);
    issuer = await createCa({ issuer: await createCa() });
  }, 60_000);
  afterAll(async () => stack?.close());

  const upload = async (names: string[]) => {
    const leaf = await issueLeaf(issuer, { names, keyAlgorithm: 'EC' });
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: issuer.certPem }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    return { leaf, certificateId: body.certificate.id as string, privateKeyId: body.private_key.id as string };
  };
  const lookup = (name: string) => fetch(`${stack.admin.url}${PREFIX}/domain/${name}/config.json`);

  it('serves the new certificate and key after the domain moves, and never a shredded key', async () => {
    const first = await upload(['cache.example.test']);
    for (let i = 0; i < 2; i++) {
      const body = await json(await lookup('cache.example.test'));
      expect(body.certificate_signed__latest_single.id).toBe(first.certificateId);
      expect(body.certificate_signed__latest_single.private_key.pem).toBe(first.leaf.keyPem.trim() + '\n');
    }
    expect(cachedPrivateKeyCount(stack.deps.vault)).toBeGreaterThan(0);

    const second = await upload(['cache.example.test']);
    const moved = await json(await lookup('cache.example.test'));
    expect(moved.certificate_signed__latest_single.id).toBe(second.certificateId);
    expect(moved.certificate_signed__latest_single.private_key.id).toBe(second.privateKeyId);
    expect(moved.certificate_signed__latest_single.private_key.pem).toBe(second.leaf.keyPem.trim() + '\n');
    expect(moved.certificate_signed__latest_single.certificate.pem).toBe(second.leaf.certPem.trim() + '\n');

    // The cached key was served a moment ago; once shredded the vault's refusal is the answer again.
    await stack.deps.vault.shred(second.privateKeyId);
    const refused = await lookup('cache.example.test');
    expect(refused.status).toBe(409);
    expect(await refused.text()).not.toContain('PRIVATE KEY');
  });
});
