import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createTestChain, issueLeaf, type TestCa } from '../support/pki.js';
import { json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const MISSING = '00000000-0000-8000-8000-000000000000';

type Item = { id: string; subject?: string };

describe.each(['pglite', 'postgres'] as const)('CA certificates, chains, keys and name sets on %s', (kind) => {
  let stack: TestStack;
  let root: TestCa;
  let intermediate: TestCa;
  const certificateIds: Record<string, string> = {};
  const api = async (path: string) => {
    const res = await fetch(`${stack.admin.url}/api/v1${path}`);
    expect(res.status, path).toBe(200);
    return json(res);
  };
  const compat = async (path: string) => {
    const res = await fetch(`${stack.admin.url}${PREFIX}${path}`);
    expect(res.status, path).toBe(200);
    return json(res);
  };
  const upload = async (key: string, certificate: string, privateKey: string, chain: string) => {
    const res = await fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate, private_key: privateKey, chain }),
    });
    expect(res.status, key).toBe(201);
    certificateIds[key] = (await json(res)).certificate.id;
  };
  const caId = async (ca: TestCa) =>
    (await api('/ca-certificates')).items.find((item: Item) => item.subject === `CN=${ca.name},O=certledger tests`).id as string;

  beforeAll(async () => {
    stack = await startTestStack(kind);
    root = await createCa({ name: 'Catalog Root' });
    intermediate = await createCa({ name: 'Catalog Intermediate', issuer: root });
    const one = await issueLeaf(intermediate, { names: ['one.cat.test'], keyAlgorithm: 'EC' });
    const two = await issueLeaf(intermediate, { names: ['two.cat.test', 'www.two.cat.test'], keyAlgorithm: 'EC' });
    const other = await createTestChain({ names: ['other.cat.test'], keyAlgorithm: 'EC' });
    await upload('one', one.certPem, one.keyPem, intermediate.certPem + root.certPem);
    await upload('two', two.certPem, two.keyPem, intermediate.certPem);
    await upload('other', other.leaf.certPem, other.leaf.keyPem, other.chainPem);
  });
  afterAll(async () => stack?.close());

  it('lists CA certificates and shows what each one signs', async () => {
    const list = await api('/ca-certificates');
    expect(list).toMatchObject({ total: 3, limit: 50, offset: 0 });
    const rootId = await caId(root);
    const intermediateId = await caId(intermediate);

    expect(list.items.find((ca: Item) => ca.id === intermediateId)).toMatchObject({ is_self_signed: false, issuer: 'CN=Catalog Root,O=certledger tests' });
    expect(JSON.stringify(list)).not.toContain('BEGIN CERTIFICATE');

    const byIntermediate = await api(`/ca-certificates/${intermediateId}/signs`);
    expect(byIntermediate).toMatchObject({ ca_certificate_id: intermediateId, certificates_total: 2, ca_certificates: [] });
    expect(byIntermediate.ca_chains.map((c: { position: number }) => c.position)).toEqual([0, 0]);

    const byRoot = await api(`/ca-certificates/${rootId}/signs`);
    expect(byRoot.certificates_total).toBe(1);
    expect(byRoot.ca_certificates).toEqual([expect.objectContaining({ id: intermediateId, directly: true })]);
    expect(byRoot.ca_chains).toEqual([expect.objectContaining({ position: 1, length: 2 })]);

    const signed = await api(`/ca-certificates/${intermediateId}/certificates`);
    expect(signed.items.map((c: Item) => c.id).sort()).toEqual([certificateIds.one, certificateIds.two].sort());
    expect((await api(`/ca-certificates/${rootId}/certificates`)).items.map((c: Item) => c.id)).toEqual([certificateIds.one]);
    expect((await api(`/ca-certificates/${intermediateId}/certificates?domain=www.two.cat.test`)).total).toBe(1);
  });

  it('lists chains with their CA certificates and certificates', async () => {
    const list = await api('/ca-chains');
    expect(list.total).toBe(3);
    const long = list.items.find((c: { length: number }) => c.length === 2);
    expect(long.certificates_count).toBe(1);
    const members = await api(`/ca-chains/${long.id}/ca-certificates`);
    expect(members.ca_chain).toMatchObject({ id: long.id, length: 2 });
    expect(members.items.map((ca: Item) => ca.subject)).toEqual(['CN=Catalog Intermediate,O=certledger tests', 'CN=Catalog Root,O=certledger tests']);
    expect((await api(`/ca-chains/${long.id}/certificates`)).items.map((c: Item) => c.id)).toEqual([certificateIds.one]);
  });

  it('lists private keys and name sets with their certificates, never key material', async () => {
    const keys = await api('/private-keys');
    expect(keys.total).toBe(3);
    expect(JSON.stringify(keys)).not.toMatch(/PRIVATE KEY|"pem"/);
    expect(keys.items[0]).toMatchObject({ key_technology: 'EC_P256', is_compromised: false, certificates_count: 1, active_certificates_count: 1 });
    expect((await api('/private-keys?compromised=true')).total).toBe(0);
    const two = (await api(`/certificates/${certificateIds.two}`)).certificate;
    expect(keys.items.find((k: Item) => k.id === two.private_key_id)).toMatchObject({ spki_sha256: two.spki_sha256, source: expect.any(String) });
    expect((await api(`/private-keys/${two.private_key_id}/certificates`)).items.map((c: Item) => c.id)).toEqual([certificateIds.two]);

    const sets = await api('/unique-fqdn-sets');
    expect(sets.items.map((s: { domain_names: string[] }) => s.domain_names)).toEqual([['one.cat.test'], ['other.cat.test'], ['two.cat.test', 'www.two.cat.test']]);
    expect((await api(`/unique-fqdn-sets/${two.unique_fqdn_set_id}`)).unique_fqdn_set).toMatchObject({ domain_count: 2, certificates_count: 1 });
    expect((await api(`/unique-fqdn-sets/${two.unique_fqdn_set_id}/certificates`)).items.map((c: Item) => c.id)).toEqual([certificateIds.two]);
  });

  it('serves the peter_sslers lists and focus pages in their shapes', async () => {
    const rootId = await caId(root);
    const intermediateId = await caId(intermediate);
    const cas = await compat('/certificate-cas.json');
    expect(Object.keys(cas.CertificateCAs)).toHaveLength(3);
    expect(cas.pagination).toEqual({ total_items: 3, page: 1, page_next: null });
    expect(cas.CertificateCAs[rootId]).toMatchObject({ id: rootId, cert_pem: root.certPem, display_name: 'Catalog Root', key_technology: 'EC_P256', cert_pem_md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await compat(`/certificate-ca/${rootId}.json`)).CertificateCA.cert_subject).toBe('CN=Catalog Root,O=certledger tests');
    const signeds = await compat(`/certificate-ca/${intermediateId}/certificate-signeds.json`);
    expect(signeds).toMatchObject({ CertificateCA: { id: intermediateId }, CertificateSigneds_count: 2 });
    expect((await compat(`/certificate-ca/${rootId}/certificate-ca-chains-n.json`)).CertificateCAChains_count).toBe(1);
    expect((await compat(`/certificate-ca/${rootId}/certificate-ca-chains-0.json`)).CertificateCAChains_count).toBe(0);
    expect((await compat(`/certificate-ca/${intermediateId}/certificate-ca-chains-0/1.json`)).CertificateCAChains_count).toBe(2);

    const chains = await compat('/certificate-ca-chains.json');
    const long = Object.values(chains.CertificateCAChains).find((c) => (c as { certificate_ca_ids: string[] }).certificate_ca_ids.length === 2) as Record<string, unknown>;
    expect(long).toMatchObject({ certificate_ca_ids: [intermediateId, rootId], chain_pem: intermediate.certPem + root.certPem, display_name: 'Catalog Intermediate > Catalog Root' });
    expect((await compat(`/certificate-ca-chain/${long.id}.json`)).CertificateCAChain.certificate_cas).toHaveLength(2);

    const keys = await compat('/private-keys.json');
    expect(JSON.stringify(keys)).not.toMatch(/PRIVATE KEY|key_pem/);
    const keyId = Object.keys(keys.PrivateKeys)[0]!;
    const key = await compat(`/private-key/${keyId}.json`);
    expect(key.raw).toEqual({ 'pem.txt': `${PREFIX}/private-key/${keyId}/key.pem.txt`, pem: `${PREFIX}/private-key/${keyId}/key.pem`, der: `${PREFIX}/private-key/${keyId}/key.key` });
    expect((await compat(`/private-key/${keyId}/certificate-signeds.json`)).CertificateSigneds_count).toBe(1);

    const sets = await compat('/unique-fqdn-sets.json');
    const setId = Object.keys(sets.UniqueFQDNSets).find((id) => sets.UniqueFQDNSets[id].count_domains === 2)!;
    expect((await compat(`/unique-fqdn-set/${setId}.json`)).UniqueFQDNSet.domains_as_list).toEqual(['two.cat.test', 'www.two.cat.test']);
    expect(Object.keys((await compat(`/unique-fqdn-set/${setId}/certificate-signeds.json`)).CertificateSigneds)).toEqual([certificateIds.two]);

    const one = (await compat(`/certificate-signed/${certificateIds.one}.json`)).CertificateSigned;
    expect(one).toMatchObject({ id: certificateIds.one, domains_as_list: ['one.cat.test'], is_active: true, is_revoked: false, certificate_ca_ids__upchain: [intermediateId] });
    expect(one.certificate_ca_chain_id__preferred).toBe(one.certificate_ca_chain_ids[0]);
    const all = await compat('/certificate-signeds/all.json');
    expect(Object.keys(all.CertificateSigneds)).toHaveLength(3);
    const redirect = await fetch(`${stack.admin.url}${PREFIX}/certificate-signeds.json`, { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(`${PREFIX}/certificate-signeds/active.json`);
  });

  it('answers 404 JSON for unknown or malformed ids', async () => {
    const paths = [
      `/api/v1/ca-certificates/${MISSING}/signs`, '/api/v1/ca-certificates/nope/signs', `/api/v1/ca-certificates/${MISSING}/certificates`,
      `/api/v1/ca-chains/${MISSING}/ca-certificates`, `/api/v1/ca-chains/${MISSING}/certificates`, `/api/v1/private-keys/${MISSING}/parse.json`,
      `/api/v1/private-keys/${MISSING}/certificates`, `/api/v1/unique-fqdn-sets/${MISSING}`, '/api/v1/unique-fqdn-sets/1/certificates',
      `${PREFIX}/certificate-ca/${MISSING}.json`, `${PREFIX}/certificate-ca/1.json`, `${PREFIX}/certificate-ca-chain/${MISSING}.json`,
      `${PREFIX}/private-key/${MISSING}.json`, `${PREFIX}/unique-fqdn-set/${MISSING}.json`, `${PREFIX}/certificate-signed/${MISSING}.json`,
      `${PREFIX}/certificate-signed/12.json`, `${PREFIX}/certificate-ca/${MISSING}/certificate-signeds.json`,
    ];
    for (const path of paths) {
      const res = await fetch(`${stack.admin.url}${path}`);
      expect(res.status, path).toBe(404);
      expect((await json(res)).result, path).toBe('error');
    }
    const bad = await fetch(`${stack.admin.url}/api/v1/ca-certificates?limit=5000`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors.limit).toBeDefined();
  });
});
