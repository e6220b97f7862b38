import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/infra/x509/certificate.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
const sha1 = (ca: TestCa) => parseCertificate(ca.certPem).fingerprintSha1;

/**
 * The Let's Encrypt shape: the intermediate alone (its root is in every trust store) or with the
 * old root's cross-sign of the new root appended, for old clients. Both are kept; the policy picks.
 */
describe.each(['pglite', 'postgres'] as const)('alternate chains and the preference policy on %s', (kind) => {
  let stack: TestStack;
  let oldRoot: TestCa;
  let crossSigned: TestCa;
  let intermediate: TestCa;
  let leaf: TestLeaf;
  let certificateId: string;
  let shortChainId: string;
  let longChainId: string;

  beforeAll(async () => {
    stack = await startTestStack(kind, { redis: kind === 'postgres' });
    oldRoot = await createCa({ name: 'Old Root' });
    const root = await createCa({ name: 'New Root' });
    crossSigned = await createCa({ name: root.name, keys: root.keys, issuer: oldRoot });
    intermediate = await createCa({ name: 'Issuing CA', issuer: root });
    leaf = await issueLeaf(intermediate, { names: [`pref-${kind}.example.test`] });
  });
  afterAll(async () => stack?.close());

  const domain = () => `pref-${kind}.example.test`;
  const upload = async (chainFile: string, theLeaf = leaf) =>
    json(await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ certificate_file: theLeaf.certPem, private_key_file: theLeaf.keyPem, chain_file: chainFile }),
    }));
  const servedChain = async (query = '') => (await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${domain()}/config.json${query}`))).certificate_signed__latest_single.chain;
  const setPolicy = (body: unknown) => fetch(`${stack.admin.url}/api/v1/chain-preference`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const compat = (path: string, fields: Record<string, string>) => fetch(`${stack.admin.url}${PREFIX}/certificate-cas/preferred/${path}`, { method: 'POST', body: form(fields) });
  const selectedPerCertificate = async () => (await sql<{ n: number }>`
    select count(*) filter (where is_selected)::int as n from certificate_chains group by certificate_id`.execute(stack.handle.db)).rows.map((r) => r.n);

  it('keeps the alternate chain the CA offers beside the default', async () => {
    const first = await upload(intermediate.certPem);
    certificateId = first.certificate.id;
    shortChainId = first.certificate_ca_chain.id;
    const second = await upload(intermediate.certPem + crossSigned.certPem);
    expect(second.certificate).toMatchObject({ id: certificateId, created: false });
    longChainId = second.certificate_ca_chain.id;
    expect(longChainId).not.toBe(shortChainId);

    const summary = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${certificateId}`));
    expect(summary.certificate.ca_chains).toEqual([
      { id: shortChainId, is_default: true, is_selected: true },
      { id: longChainId, is_default: false, is_selected: false },
    ]);
    expect(await servedChain()).toEqual({ id: shortChainId, pem: intermediate.certPem });
  });

  it('serves the chain whose top the policy names, in config.json, downloads and the Redis prime, and back', async () => {
    const res = await setPolicy({ fingerprints_sha1: [sha1(crossSigned)] });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ changed: true, fingerprints_sha1: [sha1(crossSigned)], items: [{ slot: 1, ca_certificate: { subject: expect.stringContaining('New Root') } }] });
    expect(await servedChain()).toEqual({ id: longChainId, pem: intermediate.certPem + crossSigned.certPem });
    const download = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/${certificateId}/fullchain.pem`);
    expect(await download.text()).toBe(leaf.certPem + intermediate.certPem + crossSigned.certPem);

    if (stack.redis) {
      await servedChain('?openresty=1');
      expect(await stack.redis.hget(`d1:${domain()}`, 'i')).toBe(longChainId);
      expect(await stack.redis.get(`i:${longChainId}`)).toBe(intermediate.certPem + crossSigned.certPem);
      expect(await stack.redis.hget(`d2:${domain()}`, 'f')).toBe(leaf.certPem + intermediate.certPem + crossSigned.certPem);
    }

    // Earlier entries win: the short chain's top (the intermediate) is listed first.
    const colons = sha1(intermediate).toUpperCase().match(/../g)!.join(':');
    expect((await setPolicy({ fingerprints_sha1: [colons, sha1(crossSigned)] })).status).toBe(200);
    expect((await servedChain()).id).toBe(shortChainId);

    expect((await setPolicy({ fingerprints_sha1: [] })).status).toBe(200);
    expect((await servedChain()).id).toBe(shortChainId);
    const unchanged = await json(await setPolicy({ fingerprints_sha1: [] }));
    expect(unchanged.changed).toBe(false);
    expect(await selectedPerCertificate()).toEqual(expect.arrayContaining([1]));
    expect((await selectedPerCertificate()).every((n) => n === 1)).toBe(true);
  });

  it('imports several chains through the native API; a policy in force picks among them at once', async () => {
    expect((await setPolicy({ fingerprints_sha1: [sha1(crossSigned)] })).status).toBe(200);
    const other = await issueLeaf(intermediate, { names: [`multi-${kind}.example.test`] });
    const res = await fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: other.certPem, private_key: other.keyPem, chains: [intermediate.certPem, intermediate.certPem + crossSigned.certPem] }),
    });
    expect(res.status).toBe(201);
    const { certificate } = await json(res);
    expect(certificate.ca_chains).toEqual([
      { id: longChainId, is_default: false, is_selected: true },
      { id: shortChainId, is_default: true, is_selected: false },
    ]);
    const bad = await fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: other.certPem, private_key: other.keyPem, chains: [intermediate.certPem, oldRoot.certPem] }),
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors).toEqual({ 'chains.1': 'its first certificate did not issue the uploaded certificate' });
    expect((await setPolicy({ fingerprints_sha1: [] })).status).toBe(200);
    expect((await servedChain()).id).toBe(shortChainId);
  });

  it('refuses a bad policy with a 400 naming the entry', async () => {
    const problems = async (body: unknown, type = 'application/json') => {
      const res = await fetch(`${stack.admin.url}/api/v1/chain-preference`, { method: 'PUT', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      expect(res.status).toBe(400);
      return (await json(res)).form_errors;
    };
    expect(await problems({ fingerprints_sha1: ['zz'] })).toHaveProperty(['fingerprints_sha1.0']);
    expect(await problems({ fingerprints_sha1: ['0'.repeat(40)] })).toEqual({ 'fingerprints_sha1.0': 'is not a known CA certificate' });
    expect(await problems({ fingerprints_sha1: [sha1(oldRoot), sha1(oldRoot)] })).toEqual({ 'fingerprints_sha1.0': 'is not a known CA certificate', 'fingerprints_sha1.1': 'repeats entry 0' });
    expect(await problems({ fingerprints_sha1: [], extra: true })).toEqual({ extra: 'unknown field' });
    expect(await problems({})).toHaveProperty('fingerprints_sha1');
    expect(await problems('x', 'text/plain')).toHaveProperty('_form');
  });

  it('edits the policy through the peter_sslers preferred routes', async () => {
    const add = await compat('add.json', { fingerprint_sha1: sha1(crossSigned).slice(0, 8) });
    expect(await json(add)).toEqual({ result: 'success', operation: 'add' });
    expect(await json(await compat('add.json', { fingerprint_sha1: sha1(intermediate) }))).toEqual({ result: 'success', operation: 'add' });
    const listed = await json(await fetch(`${stack.admin.url}${PREFIX}/certificate-cas/preferred.json`));
    const crossId = listed.PreferenceOrder['1'];
    expect(listed.CertificateCAs[crossId].fingerprint_sha1).toBe(sha1(crossSigned));
    expect((await servedChain()).id).toBe(longChainId);

    expect(await json(await compat('prioritize.json', { slot: '2', fingerprint_sha1: sha1(intermediate), priority: 'increase' }))).toMatchObject({ result: 'success' });
    expect((await servedChain()).id).toBe(shortChainId);
    const stale = await compat('delete.json', { slot: '2', fingerprint_sha1: sha1(intermediate) });
    expect(stale.status).toBe(400);
    expect((await json(stale)).form_errors).toHaveProperty('slot');
    expect(await json(await compat('delete.json', { slot: '1', fingerprint_sha1: sha1(intermediate) }))).toMatchObject({ operation: 'delete' });
    expect((await json(await fetch(`${stack.admin.url}/api/v1/chain-preference`))).fingerprints_sha1).toEqual([sha1(crossSigned)]);
    expect((await servedChain()).id).toBe(longChainId);

    const dup = await compat('add.json', { fingerprint_sha1: sha1(crossSigned) });
    expect((await json(dup)).form_errors).toEqual({ fingerprint_sha1: 'is already in the list' });
    const unknown = await compat('add.json', { fingerprint_sha1: 'ffffffff' });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).form_errors).toHaveProperty('fingerprint_sha1');
    const badPriority = await compat('prioritize.json', { slot: '1', fingerprint_sha1: sha1(crossSigned), priority: 'up' });
    expect((await json(badPriority)).form_errors).toHaveProperty('priority');
  });
});
