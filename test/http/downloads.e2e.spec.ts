import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createTestChain, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';
import { json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const MISSING = '00000000-0000-8000-8000-000000000000';
const der = (pem: string) => new X509Certificate(pem).raw;

describe.each(['pglite', 'postgres'] as const)('downloads on %s', (kind) => {
  let stack: TestStack;
  let intermediate: TestCa;
  let twin: TestCa;
  let leaf: TestLeaf;
  let certificateId: string;
  let privateKeyId: string;
  /** The default chain (via `intermediate`) and the alternate (via its cross-signed `twin`). */
  const chainIds: { primary: string; alternate: string; unlinked: string } = { primary: '', alternate: '', unlinked: '' };
  const get = (path: string) => fetch(`${stack.admin.url}${path}`);
  const upload = async (body: Record<string, unknown>) => {
    const res = await fetch(`${stack.admin.url}/api/v1/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await json(res)).certificate.id as string;
  };
  const chainsOf = async (id: string) => {
    const listed = await json(await get(`/api/v1/certificates?limit=1000`));
    return listed.items.find((c: { id: string }) => c.id === id).chains as { id: string; is_default: boolean; is_selected: boolean }[];
  };
  const expectFile = async (path: string, type: string, body: string | Buffer) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type'), path).toContain(type);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (typeof body === 'string') expect(bytes.toString(), path).toBe(body);
    else expect(bytes.equals(body), path).toBe(true);
    return res;
  };

  beforeAll(async () => {
    stack = await startTestStack(kind);
    const root = await createCa({ name: 'Download Root' });
    const otherRoot = await createCa({ name: 'Download Other Root' });
    intermediate = await createCa({ name: 'Download Intermediate', issuer: root });
    twin = await createCa({ name: 'Download Intermediate', issuer: otherRoot, keys: intermediate.keys });
    leaf = await issueLeaf(intermediate, { names: ['dl.test'], keyAlgorithm: 'EC' });
    certificateId = await upload({ certificate: leaf.certPem, private_key: leaf.keyPem, chains: [intermediate.certPem, twin.certPem] });
    const chains = await chainsOf(certificateId);
    chainIds.primary = chains.find((c) => c.is_default)!.id;
    chainIds.alternate = chains.find((c) => !c.is_default)!.id;
    const other = await createTestChain({ names: ['other.dl.test'], keyAlgorithm: 'EC' });
    const otherId = await upload({ certificate: other.leaf.certPem, private_key: other.leaf.keyPem, chain: other.chainPem });
    chainIds.unlinked = (await chainsOf(otherId))[0]!.id;
    privateKeyId = (await json(await get(`/api/v1/certificates/${certificateId}`))).certificate.private_key_id;
  });
  afterAll(async () => stack?.close());

  it('keeps both chains of the certificate, one of them selected', async () => {
    const chains = await chainsOf(certificateId);
    expect(chains).toHaveLength(2);
    expect(chains.filter((c) => c.is_selected)).toHaveLength(1);
  });

  it('serves the certificate through each of its chains, on both APIs and both path names', async () => {
    for (const [chainId, chainPem] of [[chainIds.primary, intermediate.certPem], [chainIds.alternate, twin.certPem]] as const) {
      for (const base of [`${PREFIX}/certificate-signed/${certificateId}/via-certificate-ca-chain/${chainId}`, `${PREFIX}/certificate-signed/${certificateId}/via-chain/${chainId}`, `/api/v1/certificates/${certificateId}/via-chain/${chainId}`]) {
        await expectFile(`${base}/chain.pem`, 'application/x-pem-file', chainPem);
        await expectFile(`${base}/chain.pem.txt`, 'text/plain', chainPem);
        await expectFile(`${base}/chain.cer`, 'application/pkix-cert', der(chainPem));
        await expectFile(`${base}/chain.crt`, 'application/x-x509-ca-cert', der(chainPem));
        await expectFile(`${base}/chain.der`, 'application/x-x509-ca-cert', der(chainPem));
        await expectFile(`${base}/fullchain.pem`, 'application/x-pem-file', leaf.certPem + chainPem);
        await expectFile(`${base}/fullchain.pem.txt`, 'text/plain', leaf.certPem + chainPem);
        const config = await json(await get(`${base}/config.json`));
        expect(config).toMatchObject({ id: certificateId, chain: { id: chainId, pem: chainPem }, fullchain: { id: `${certificateId},${chainId}` } });
        expect((await json(await get(`${base}/config.json?idonly=1`))).chain).toEqual({ id: chainId });
      }
    }
  });

  it('answers 404 for a chain not linked to the certificate, an unknown one, or a file it does not offer', async () => {
    const paths = [
      `${PREFIX}/certificate-signed/${certificateId}/via-certificate-ca-chain/${chainIds.unlinked}/chain.pem`,
      `${PREFIX}/certificate-signed/${certificateId}/via-chain/${chainIds.unlinked}/config.json`,
      `/api/v1/certificates/${certificateId}/via-chain/${chainIds.unlinked}/fullchain.pem`,
      `/api/v1/certificates/${certificateId}/via-chain/${MISSING}/chain.pem`,
      `/api/v1/certificates/${MISSING}/via-chain/${chainIds.primary}/chain.pem`,
      `/api/v1/certificates/${certificateId}/via-chain/not-an-id/chain.pem`,
      `${PREFIX}/certificate-signed/${certificateId}/via-chain/${chainIds.primary}/privkey.pem`,
      `/api/v1/certificates/${certificateId}/via-chain/${chainIds.primary}/fullchain.der`,
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await json(res)).result, path).toBe('error');
    }
  });

  it('offers CA certificates and chains in every format, with the CA MIME types', async () => {
    const cas = await json(await get('/api/v1/ca-certificates?limit=1000'));
    const intermediateId = cas.items.find((ca: { fingerprint_sha256: string }) => ca.fingerprint_sha256 === new X509Certificate(intermediate.certPem).fingerprint256.replaceAll(':', '').toLowerCase()).id;
    for (const base of [`${PREFIX}/certificate-ca/${intermediateId}`, `/api/v1/ca-certificates/${intermediateId}`]) {
      await expectFile(`${base}/cert.pem`, 'application/x-pem-file', intermediate.certPem);
      await expectFile(`${base}/cert.pem.txt`, 'text/plain', intermediate.certPem);
      await expectFile(`${base}/cert.cer`, 'application/pkix-cert', der(intermediate.certPem));
      await expectFile(`${base}/cert.crt`, 'application/x-x509-ca-cert', der(intermediate.certPem));
      await expectFile(`${base}/cert.der`, 'application/x-x509-ca-cert', der(intermediate.certPem));
      expect((await get(`${base}/cert.key`)).status).toBe(404);
      expect((await get(`${base}/chain.pem`)).status).toBe(404);
    }
    for (const base of [`${PREFIX}/certificate-ca-chain/${chainIds.alternate}`, `/api/v1/ca-chains/${chainIds.alternate}`]) {
      const res = await expectFile(`${base}/chain.pem`, 'application/x-pem-file', twin.certPem);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="chain.pem"');
      await expectFile(`${base}/chain.pem.txt`, 'text/plain', twin.certPem);
      expect((await get(`${base}/chain.der`)).status).toBe(404);
    }
    for (const path of [`${PREFIX}/certificate-ca/${MISSING}/cert.pem`, `/api/v1/ca-certificates/x/cert.pem`, `${PREFIX}/certificate-ca-chain/${MISSING}/chain.pem`, `/api/v1/ca-chains/${MISSING}/chain.pem`]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('offers private keys from the vault as PEM and PKCS#8 DER, never cached', async () => {
    const pkcs8 = createPrivateKey(leaf.keyPem).export({ type: 'pkcs8', format: 'der' });
    for (const base of [`${PREFIX}/private-key/${privateKeyId}`, `/api/v1/private-keys/${privateKeyId}`]) {
      for (const [file, type] of [['key.pem', 'application/x-pem-file'], ['key.pem.txt', 'text/plain'], ['key.key', 'application/pkcs8']] as const) {
        const res = await get(`${base}/${file}`);
        expect(res.status, file).toBe(200);
        expect(res.headers.get('content-type'), file).toContain(type);
        expect(res.headers.get('cache-control'), file).toBe('no-store');
        const body = Buffer.from(await res.arrayBuffer());
        const exported = createPrivateKey(file === 'key.key' ? { key: body, format: 'der', type: 'pkcs8' } : body.toString()).export({ type: 'pkcs8', format: 'der' });
        expect(exported.equals(pkcs8), file).toBe(true);
      }
      expect((await get(`${base}/key.der`)).status).toBe(404);
    }
    for (const path of [`${PREFIX}/private-key/${MISSING}/key.pem`, `/api/v1/private-keys/${MISSING}/key.key`, `/api/v1/private-keys/nope/key.pem`]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});
