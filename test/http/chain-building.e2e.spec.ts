import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';

describe('certificates uploaded without their chain get every chain the known CAs build', () => {
  let stack: TestStack;
  let root: TestCa;
  let intermediate: TestCa;

  beforeAll(async () => {
    stack = await startTestStack('pglite');
    root = await createCa({ name: 'Build Root' });
    intermediate = await createCa({ name: 'Build Intermediate', issuer: root });
  });
  afterAll(async () => stack?.close());

  const post = (path: string, body: FormData) => fetch(`${stack.admin.url}${path}`, { method: 'POST', body });
  const postJson = (path: string, body: unknown) =>
    fetch(`${stack.admin.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const get = async (path: string) => json(await fetch(`${stack.admin.url}${path}`));
  const uploadCa = async (ca: TestCa) => {
    const res = await postJson('/api/v1/ca-certificates', { certificate: ca.certPem });
    expect(res.status).toBeLessThan(300);
    return (await json(res)).ca_certificate.id as string;
  };

  it('refuses a certificate no known CA issues, naming chain_file, and stores nothing', async () => {
    const leaf = await issueLeaf(intermediate, { names: ['early.example.test'] });
    const head = await stack.deps.store.headPosition();
    const res = await post(`${PREFIX}/certificate-signed/upload.json`, form({ certificate_file: leaf.certPem, private_key_file: leaf.keyPem }));
    expect(res.status).toBe(400);
    expect((await json(res)).form_errors).toEqual({ chain_file: 'is required: no known CA certificate issues this certificate' });
    const native = await postJson('/api/v1/certificates', { certificate: leaf.certPem, private_key: leaf.keyPem });
    expect((await json(native)).form_errors).toEqual({ chain: 'is required: no known CA certificate issues this certificate' });
    expect(await stack.deps.store.headPosition()).toBe(head);
  });

  it('builds root → intermediate → leaf and serves the chain without the root', async () => {
    const rootId = await uploadCa(root);
    const intermediateId = await uploadCa(intermediate);
    const leaf = await issueLeaf(intermediate, { names: ['built.example.test'] });
    const res = await post(`${PREFIX}/certificate-signed/upload.json`, form({ certificate_file: leaf.certPem, private_key_file: leaf.keyPem }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.ca_certificate.id).toBe(intermediateId);

    const domain = await get(`${PREFIX}/domain/built.example.test/config.json`);
    expect(domain.certificate_signed__latest_single.chain).toEqual({ id: body.certificate_ca_chain.id, pem: intermediate.certPem });
    expect(domain.certificate_signed__latest_single.fullchain.pem).toBe(leaf.certPem + intermediate.certPem);

    const paths = await get(`/api/v1/certificates/${body.certificate.id}/trust-paths`);
    expect(paths.trust_paths).toEqual([{
      ends_at_root: true,
      ca_chain_id: body.certificate_ca_chain.id,
      ca_certificates: [
        expect.objectContaining({ id: intermediateId, is_self_signed: false }),
        expect.objectContaining({ id: rootId, is_self_signed: true }),
      ],
    }]);
  });

  it('links every chain through cross-signed intermediates, the first as default', async () => {
    const otherRoot = await createCa({ name: 'Other Root' });
    const twin = await createCa({ name: intermediate.name, keys: intermediate.keys, issuer: otherRoot });
    await uploadCa(otherRoot);
    const twinId = await uploadCa(twin);
    const leaf = await issueLeaf(intermediate, { names: ['cross.example.test'] });

    const res = await postJson('/api/v1/certificates', { certificate: leaf.certPem, private_key: leaf.keyPem });
    expect(res.status).toBe(201);
    const { certificate } = await json(res);
    expect(certificate.ca_chains).toHaveLength(2);
    expect(certificate.ca_chains.filter((c: { is_default: boolean }) => c.is_default)).toHaveLength(1);
    expect(certificate.ca_chains.filter((c: { is_selected: boolean }) => c.is_selected)).toEqual([certificate.ca_chains.find((c: { is_default: boolean }) => c.is_default)]);

    const chainPems = await Promise.all(certificate.ca_chains.map(async (c: { id: string }) => (await get(`/api/v1/ca-chains/${c.id}`)).ca_chain.pem));
    expect(chainPems.sort()).toEqual([intermediate.certPem, twin.certPem].sort());

    const { trust_paths: paths } = await get(`/api/v1/certificates/${certificate.id}/trust-paths`);
    expect(paths).toHaveLength(2);
    expect(paths.every((p: { ends_at_root: boolean; ca_chain_id: string | null }) => p.ends_at_root && p.ca_chain_id !== null)).toBe(true);
    expect(paths.some((p: { ca_certificates: { id: string }[] }) => p.ca_certificates[0]!.id === twinId)).toBe(true);
  });

  it('still takes the chain given with the upload, without building others', async () => {
    const leaf = await issueLeaf(intermediate, { names: ['given.example.test'] });
    const res = await post(`${PREFIX}/certificate-signed/upload.json`, form({ certificate_file: leaf.certPem, private_key_file: leaf.keyPem, chain_file: intermediate.certPem }));
    const body = await json(res);
    const summary = await get(`/api/v1/certificates/${body.certificate.id}`);
    expect(summary.certificate.ca_chains).toEqual([{ id: body.certificate_ca_chain.id, is_default: true, is_selected: true }]);
  });

  it('answers 404 JSON for the trust paths of an unknown or malformed certificate id', async () => {
    for (const id of ['00000000-0000-8000-8000-000000000000', 'not-an-id']) {
      const res = await fetch(`${stack.admin.url}/api/v1/certificates/${id}/trust-paths`);
      expect(res.status).toBe(404);
      expect((await json(res)).code).toBe('not_found');
    }
  });
});
