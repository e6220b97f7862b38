import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/infra/x509/certificate.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';

describe.each(['pglite', 'postgres'] as const)('CA certificate and chain uploads on %s', (kind) => {
  let stack: TestStack;
  let root: TestCa;
  let intermediate: TestCa;
  let leaf: TestLeaf;

  beforeAll(async () => {
    stack = await startTestStack(kind);
    root = await createCa();
    intermediate = await createCa({ issuer: root, aiaCaIssuersUrl: 'http://ca.example.test/root.cer' });
    leaf = await issueLeaf(intermediate, { names: ['ca-upload.example.test'] });
  });
  afterAll(async () => stack?.close());

  const post = (path: string, body: FormData | string, type?: string) =>
    fetch(`${stack.admin.url}${path}`, { method: 'POST', body, headers: type ? { 'content-type': type } : undefined });
  const postJson = (path: string, body: unknown) => post(path, JSON.stringify(body), 'application/json');
  const get = (path: string) => fetch(`${stack.admin.url}${path}`);
  const expect400 = async (res: Response, field: string, problem: RegExp) => {
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.result).toBe('error');
    expect(body.form_errors[field]).toMatch(problem);
  };

  it('uploads a CA certificate on the peter_sslers path, de-duplicated by fingerprint', async () => {
    const first = await json(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ cert_file: root.certPem, cert_file_name: 'root.pem' })));
    expect(first).toEqual({ result: 'success', CertificateCA: { created: true, id: expect.any(String) } });
    const head = await stack.deps.store.headPosition();
    const again = await json(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ cert_file: root.certDer })));
    expect(again.CertificateCA).toEqual({ created: false, id: first.CertificateCA.id });
    expect(await stack.deps.store.headPosition()).toBe(head);

    const shown = await json(await get(`/api/v1/ca-certificates/${first.CertificateCA.id}`));
    expect(shown.ca_certificate).toMatchObject({
      id: first.CertificateCA.id,
      fingerprint_sha1: parseCertificate(root.certPem).fingerprintSha1,
      is_self_signed: true,
      source: 'upload',
      source_url: null,
      pem: root.certPem,
    });
  });

  it('uploads a CA certificate through the native API (JSON or multipart), with its AIA and key ids', async () => {
    const created = await postJson('/api/v1/ca-certificates', { certificate: intermediate.certPem });
    expect(created.status).toBe(201);
    const body = await json(created);
    const parsed = parseCertificate(intermediate.certPem);
    expect(body.ca_certificate).toMatchObject({
      aia_ca_issuers_urls: ['http://ca.example.test/root.cer'],
      subject_key_id: parsed.subjectKeyId,
      authority_key_id: parsed.authorityKeyId,
      is_self_signed: false,
    });
    const again = await post('/api/v1/ca-certificates', form({ certificate: intermediate.certDer }));
    expect(again.status).toBe(200);
    expect((await json(again)).ca_certificate.id).toBe(body.ca_certificate.id);
  });

  it('uploads a chain, issuer of the leaf first, de-duplicated', async () => {
    const chainPem = intermediate.certPem + root.certPem;
    const first = await json(await post(`${PREFIX}/certificate-ca-chain/upload-chain.json`, form({ chain_file: chainPem })));
    expect(first).toEqual({ result: 'success', CertificateCAChain: { created: true, id: expect.any(String) } });
    const again = await postJson('/api/v1/ca-chains', { chain: chainPem });
    expect(again.status).toBe(200);
    const shown = await json(again);
    expect(shown).toMatchObject({ created: false, ca_chain: { id: first.CertificateCAChain.id, pem: chainPem } });
    expect(shown.ca_chain.ca_certificates.map((c: { is_self_signed: boolean }) => c.is_self_signed)).toEqual([false, true]);
    expect((await json(await get(`/api/v1/ca-chains/${first.CertificateCAChain.id}`))).ca_chain.ca_certificate_ids).toHaveLength(2);

    // The chain tells each CA certificate its issuer.
    const [intermediateId, rootId] = shown.ca_chain.ca_certificate_ids;
    expect((await json(await get(`/api/v1/ca-certificates/${intermediateId}`))).ca_certificate.issuer_ca_certificate_id).toBe(rootId);

    const created = await post('/api/v1/ca-chains', form({ chain: intermediate.certPem }));
    expect(created.status).toBe(201);
  });

  it('refuses a leaf given as a CA, naming the field, and stores nothing', async () => {
    const head = await stack.deps.store.headPosition();
    await expect400(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ cert_file: leaf.certPem })), 'cert_file', /not a CA certificate/);
    await expect400(await postJson('/api/v1/ca-certificates', { certificate: leaf.certPem }), 'certificate', /not a CA certificate/);
    await expect400(await post(`${PREFIX}/certificate-ca-chain/upload-chain.json`, form({ chain_file: leaf.certPem + intermediate.certPem })), 'chain_file', /certificate 1 of the chain is not a CA/);
    await expect400(await postJson('/api/v1/ca-chains', { chain: leaf.certPem }), 'chain', /not a CA/);
    expect(await stack.deps.store.headPosition()).toBe(head);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const unrelated = await createCa();
    await expect400(await post(`${PREFIX}/certificate-ca-chain/upload-chain.json`, form({ chain_file: root.certPem + intermediate.certPem })), 'chain_file', /did not issue/);
    await expect400(await post(`${PREFIX}/certificate-ca-chain/upload-chain.json`, form({ chain_file: intermediate.certPem + unrelated.certPem })), 'chain_file', /did not issue/);
    await expect400(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ cert_file: 'not a certificate' })), 'cert_file', /not a PEM or DER/);
    await expect400(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ cert_file: root.certPem + intermediate.certPem })), 'cert_file', /2 certificates/);
    await expect400(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({ surprise: 'x' })), 'surprise', /unknown field/);
    await expect400(await post(`${PREFIX}/certificate-ca/upload-cert.json`, form({})), 'cert_file', /required/);
    await expect400(await post(`${PREFIX}/certificate-ca-chain/upload-chain.json`, form({})), 'chain_file', /required/);
    await expect400(await postJson('/api/v1/ca-certificates', { certificate: root.certPem, extra: 1 }), 'extra', /unknown field/);
    await expect400(await postJson('/api/v1/ca-chains', {}), 'chain', /required/);
    await expect400(await post('/api/v1/ca-chains', 'chain', 'text/plain'), '_form', /application\/json/);
  });

  it('answers 404 JSON for unknown or malformed ids', async () => {
    for (const path of ['/api/v1/ca-certificates/00000000-0000-8000-8000-000000000000', '/api/v1/ca-certificates/nope', '/api/v1/ca-chains/00000000-0000-8000-8000-000000000000', '/api/v1/ca-chains/%20']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await json(res)).result).toBe('error');
    }
  });
});
