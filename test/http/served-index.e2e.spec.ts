import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/infra/x509/certificate.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';
import { answerOf, startFastServer, type FastServer } from './served-index-support.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;

// The fast path must answer exactly what the Express route answers, from memory, and never an
// answer older than the catalog position a client waited for.
describe.each(['pglite', 'postgres'] as const)('config.json from the served index (%s)', (kind) => {
  let stack: TestStack;
  let fast: FastServer;
  let ca: TestCa;
  const name = (n: string) => `${n}.${kind}.served.test`;

  beforeAll(async () => {
    stack = await startTestStack(kind);
    fast = await startFastServer(stack);
    ca = await createCa({ issuer: await createCa() });
  }, 60_000);
  afterAll(async () => {
    await fast?.close();
    await stack?.close();
  });

  const upload = async (leaf: TestLeaf, chain = ca.certPem) => {
    const res = await fetch(`${fast.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: chain }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    return { certificateId: body.certificate.id as string, privateKeyId: body.private_key.id as string, chainId: body.certificate_ca_chain.id as string };
  };
  const post = async (path: string) => {
    const res = await fetch(`${fast.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'served index test' }) });
    expect(res.status, await res.text()).toBe(200);
  };
  const path = (key: string, query = '') => `${PREFIX}/domain/${key}/config.json${query}`;

  /** The fast answer (after a sync, so it comes from memory) equals Express's, byte for byte. */
  const same = async (key: string, query = '') => {
    await fast.index.sync();
    const before = fast.lookup.counts.fast;
    const ours = await answerOf(`${fast.url}${path(key, query)}`);
    const reference = await answerOf(`${stack.admin.url}${path(key, query)}`);
    expect(ours).toEqual(reference);
    return { ...ours, fast: fast.lookup.counts.fast - before === 1, json: JSON.parse(ours.body) };
  };

  it('answers single, multi, both and idonly byte for byte as the route, from memory', async () => {
    const single = await upload(await issueLeaf(ca, { names: [name('a')] }));
    const multi = await upload(await issueLeaf(ca, { names: [name('a'), name('b')] }));
    const both = await same(name('a'));
    expect(both.fast).toBe(true);
    expect(both.status).toBe(200);
    expect(both.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(both.headers['x-peter-sslers']).toBe('admin');
    expect(both.json.certificate_signed__latest_single.id).toBe(single.certificateId);
    expect(both.json.certificate_signed__latest_multi.id).toBe(multi.certificateId);
    expect(both.json.x509_certificate__latest_multi.private_key.pem).toContain('PRIVATE KEY');
    expect(Object.keys(both.json)).toEqual(['result', 'domain', 'certificate_signed__latest_single', 'certificate_signed__latest_multi', 'x509_certificate__latest_single', 'x509_certificate__latest_multi']);

    const onlyMulti = await same(name('b'));
    expect(onlyMulti.fast).toBe(true);
    expect(onlyMulti.json.certificate_signed__latest_single).toBeNull();
    for (const query of ['?idonly=1', '?idonly=true', '?idonly=0', '?idonly=1&openresty=0']) expect((await same(name('a'), query)).fast).toBe(true);
    expect((await same(name('a'), '?idonly=1')).json.certificate_signed__latest_single).toEqual({
      id: single.certificateId, private_key: { id: single.privateKeyId }, certificate: { id: single.certificateId },
      chain: { id: single.chainId }, fullchain: { id: `${single.certificateId},${single.chainId}` },
    });
  });

  it('finds a domain by id, upper case and trailing dot as the route does; leaves the rest to Express', async () => {
    const byName = await same(name('a'));
    expect((await same(byName.json.domain.id)).fast).toBe(true);
    expect((await same(byName.json.domain.id.toUpperCase())).fast).toBe(true);
    expect((await same(`${name('A').toUpperCase()}.`)).fast).toBe(true);
    for (const key of ['not_a..name', '%41.example.test']) expect((await same(key)).fast).toBe(false);
    // An unknown name or id while the index is current: the route's 404, from memory (an unknown SNI name costs no read).
    for (const key of [name('unknown'), `${name('Unknown').toUpperCase()}.`, '0b7e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b']) {
      const unknown = await same(key);
      expect(unknown.fast).toBe(true);
      expect(unknown.json).toEqual({ result: 'error', code: 'not_found', message: 'Domain not found' });
    }
    expect((await same(name('a'), '?idonly=%31')).fast).toBe(false);
    expect((await same(name('a'), '?other=1')).fast).toBe(false);
  });

  it('serves the new certificate once a newer import is latest, and none once it is deactivated', async () => {
    const old = await same(name('a'));
    const newer = await upload(await issueLeaf(ca, { names: [name('a')], notAfter: new Date(Date.now() + 200 * DAY) }));
    // Read-your-writes: the upload waited for the catalog; the very next lookup must be new.
    const first = JSON.parse((await answerOf(`${fast.url}${path(name('a'))}`)).body);
    expect(first.certificate_signed__latest_single.id).toBe(newer.certificateId);
    const moved = await same(name('a'));
    expect(moved.fast).toBe(true);
    expect(moved.json.certificate_signed__latest_single.id).not.toBe(old.json.certificate_signed__latest_single.id);

    await post(`/api/v1/certificates/${newer.certificateId}/deactivate`);
    const after = JSON.parse((await answerOf(`${fast.url}${path(name('a'))}`)).body);
    expect(after.certificate_signed__latest_single.id).toBe(old.json.certificate_signed__latest_single.id);

    const lone = await upload(await issueLeaf(ca, { names: [name('none')] }));
    await post(`/api/v1/certificates/${lone.certificateId}/deactivate`);
    const none = await same(name('none'));
    expect(none.fast).toBe(true);
    expect(none.json.certificate_signed__latest_single).toBeNull();
    expect(none.json.certificate_signed__latest_multi).toBeNull();
  });

  it('serves nothing for a deactivated domain, and its certificates again once reactivated', async () => {
    await post(`/api/v1/domains/${name('b')}/deactivate`);
    const first = JSON.parse((await answerOf(`${fast.url}${path(name('b'))}`)).body);
    expect(first.domain.is_active).toBe(false);
    expect(first.certificate_signed__latest_multi).toBeNull();
    expect((await same(name('b'))).fast).toBe(true);
    await post(`/api/v1/domains/${name('b')}/activate`);
    expect(JSON.parse((await answerOf(`${fast.url}${path(name('b'))}`)).body).certificate_signed__latest_multi).not.toBeNull();
  });

  it('serves the chain the preference policy selects, right after the policy changes', async () => {
    const oldRoot = await createCa({ name: 'Old Root' });
    const root = await createCa({ name: 'New Root' });
    const crossSigned = await createCa({ name: root.name, keys: root.keys, issuer: oldRoot });
    const intermediate = await createCa({ name: 'Issuing CA', issuer: root });
    const leaf = await issueLeaf(intermediate, { names: [name('chain')] });
    const short = await upload(leaf, intermediate.certPem);
    const long = await upload(leaf, intermediate.certPem + crossSigned.certPem);
    expect((await same(name('chain'))).json.certificate_signed__latest_single.chain.id).toBe(short.chainId);

    const res = await fetch(`${fast.url}/api/v1/chain-preference`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fingerprints_sha1: [parseCertificate(crossSigned.certPem).fingerprintSha1] }),
    });
    expect(res.status, await res.text()).toBe(200);
    const first = JSON.parse((await answerOf(`${fast.url}${path(name('chain'))}`)).body);
    expect(first.certificate_signed__latest_single.chain.id).toBe(long.chainId);
    const after = await same(name('chain'));
    expect(after.fast).toBe(true);
    expect(after.json.certificate_signed__latest_single.fullchain.pem).toBe(leaf.certPem.trim() + '\n' + after.json.certificate_signed__latest_single.chain.pem);
  });

  it('never serves a shredded key from memory: the route refuses it as before', async () => {
    const leaf = await issueLeaf(ca, { names: [name('shred')] });
    const { privateKeyId } = await upload(leaf);
    expect((await same(name('shred'))).fast).toBe(true);
    await fast.deps.vault.shred(privateKeyId);
    const refused = await same(name('shred'));
    expect(refused.fast).toBe(false);
    expect(refused.status).toBe(409);
    expect(refused.body).not.toContain('PRIVATE KEY');
    // The ids hold no key material: idonly still answers from memory.
    expect((await same(name('shred'), '?idonly=1')).fast).toBe(true);
    expect(fast.index.stats().fragments).toBeGreaterThan(0);
  });
});
