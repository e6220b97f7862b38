import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain, type TestChain } from '../support/pki.js';
import { json, startTestStack, type TestStack } from '../support/app.js';

const DAY = 86_400_000;
/** Certificates carry whole seconds: the clock the apps see is one too, fixed per test. */
const T = new Date(Math.floor(Date.now() / 1000) * 1000);

describe.each(['pglite', 'postgres'] as const)('certificate queries on %s', (kind) => {
  let stack: TestStack;
  let clock = T;
  const ids: Record<string, string> = {};
  const chains: Record<string, TestChain> = {};
  const get = (path: string) => fetch(`${stack.admin.url}/api/v1${path}`);
  const list = async (query: string) => {
    const res = await get(`/certificates?${query}`);
    expect(res.status, query).toBe(200);
    return json(res);
  };
  const idsOf = async (query: string) => (await list(query)).items.map((c: { id: string }) => c.id).sort();
  const expectIds = async (query: string, names: string[]) => expect(await idsOf(query), query).toEqual(names.map((n) => ids[n]).sort());

  beforeAll(async () => {
    stack = await startTestStack(kind, { now: () => clock });
    const seeds: [string, string[], Date, Date][] = [
      ['a', ['a.q.test'], new Date(T.getTime() - DAY), new Date(T.getTime() + 7 * DAY)],
      ['b', ['b.q.test'], new Date(T.getTime() - DAY), new Date(T.getTime() + 7 * DAY + 1000)],
      ['c', ['c.q.test', 'www.c.q.test'], new Date(T.getTime() - DAY), new Date(T.getTime() + 60 * DAY)],
      ['d', ['d.q.test'], new Date(T.getTime() - 100 * DAY), new Date(T.getTime() - DAY)],
      ['e', ['e.q.test'], new Date(T.getTime() - DAY), new Date(T.getTime() + 3_600_000)],
    ];
    for (const [name, names, notBefore, notAfter] of seeds) {
      const chain = await createTestChain({ names, notBefore, notAfter, keyAlgorithm: 'EC' });
      const res = await fetch(`${stack.admin.url}/api/v1/certificates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: chain.leaf.certPem, private_key: chain.leaf.keyPem, chain: chain.chainPem }),
      });
      expect(res.status, name).toBe(201);
      ids[name] = (await json(res)).certificate.id;
      chains[name] = chain;
    }
  });
  afterAll(async () => stack?.close());

  it('lists every certificate soonest expiry first, each with its chains and the filtered total', async () => {
    const body = await list('');
    expect(body).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(body.items.map((c: { id: string }) => c.id)).toEqual(['d', 'e', 'a', 'b', 'c'].map((n) => ids[n]));
    const a = body.items.find((c: { id: string }) => c.id === ids.a);
    expect(a).toMatchObject({ domain_names: ['a.q.test'], not_after: new Date(T.getTime() + 7 * DAY).toISOString(), is_active: true, is_expired: false, is_revoked: false });
    expect(a.chains).toHaveLength(1);
    expect(a.chains[0]).toEqual({ id: expect.any(String), is_default: true, is_selected: true });
    expect(typeof a.private_key_id).toBe('string');
  });

  it('filters by active, expired and revoked', async () => {
    await expectIds('active=true', ['a', 'b', 'c', 'e']);
    await expectIds('active=false', ['d']);
    await expectIds('expired=true', ['d']);
    await expectIds('expired=false&active=1', ['a', 'b', 'c', 'e']);
    await expectIds('revoked=false', ['a', 'b', 'c', 'd', 'e']);
    await expectIds('revoked=true', []);
  });

  it('counts exactly N days as expiring within N days, and N days + 1 s as not', async () => {
    await expectIds('expiring_within_days=7', ['a', 'e']);
    await expectIds('expiring_within_days=8', ['a', 'b', 'e']);
    await expectIds('expiring_within_days=0', []);
    await expectIds('expiring_within_days=7&active=true', ['a', 'e']);
  });

  it('lists an expired certificate that is still active once the clock passes its not-after', async () => {
    clock = new Date(T.getTime() + 2 * 3_600_000);
    try {
      await expectIds('active=true&expired=true', ['e']);
      const compat = await json(await fetch(`${stack.admin.url}/.well-known/peter_sslers/certificate-signeds/active-expired.json`));
      expect(Object.keys(compat.CertificateSigneds)).toEqual([ids.e]);
      await expectIds('expiring_within_days=7', ['a', 'b']);
    } finally {
      clock = T;
    }
  });

  it('filters by name set, serial, SPKI hash, private key, issuer, domain, CA certificate and chain', async () => {
    const c = (await json(await get(`/certificates/${ids.c}`))).certificate;
    await expectIds(`unique_fqdn_set_id=${c.unique_fqdn_set_id}`, ['c']);
    const a = (await list('')).items.find((x: { id: string }) => x.id === ids.a);
    const colonSerial = a.serial.toUpperCase().match(/.{1,2}/g).join(':');
    await expectIds(`serial=${a.serial}`, ['a']);
    await expectIds(`serial=${encodeURIComponent(colonSerial)}`, ['a']);
    await expectIds(`spki_sha256=${a.spki_sha256.toUpperCase()}`, ['a']);
    await expectIds(`private_key_id=${a.private_key_id}`, ['a']);
    await expectIds(`issuer=${encodeURIComponent(a.issuer)}&issuer_match=exact`, ['a']);
    await expectIds(`issuer=${encodeURIComponent(a.issuer.toUpperCase())}&issuer_match=exact`, ['a']);
    await expectIds(`issuer=${encodeURIComponent('o=CERTLEDGER tests')}`, ['a', 'b', 'c', 'd', 'e']);
    await expectIds('issuer=nobody-issues-this', []);
    await expectIds('domain=www.c.q.test', ['c']);
    await expectIds(`domain=${encodeURIComponent('WWW.C.Q.TEST.')}`, ['c']);
    await expectIds('domain=nowhere.q.test', []);
    const caList = await json(await get('/ca-certificates?limit=1000'));
    const intermediate = caList.items.find((ca: { fingerprint_sha256: string; subject: string }) => ca.subject.includes(chains.a!.intermediate.name + ','));
    await expectIds(`ca_certificate_id=${intermediate.id}`, ['a']);
    await expectIds(`ca_chain_id=${a.chains[0].id}`, ['a']);
    await expectIds(`active=true&domain=a.q.test&expiring_within_days=7`, ['a']);
  });

  it('pages with limit and offset, and answers an offset past the end with an empty page and the right total', async () => {
    const first = await list('limit=2');
    expect(first).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(first.items).toHaveLength(2);
    const second = await list('limit=2&offset=2');
    expect(second.items.map((c: { id: string }) => c.id)).toEqual([ids.a, ids.b]);
    expect(await list('offset=100')).toEqual({ items: [], total: 5, limit: 50, offset: 100 });
    expect((await list('limit=1000')).items).toHaveLength(5);
  });

  it('answers bad filters with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['active=maybe', 'active'],
      ['expired=yes', 'expired'],
      ['expiring_within_days=-1', 'expiring_within_days'],
      ['expiring_within_days=1.5', 'expiring_within_days'],
      ['unique_fqdn_set_id=nope', 'unique_fqdn_set_id'],
      ['private_key_id=1', 'private_key_id'],
      ['ca_certificate_id=x', 'ca_certificate_id'],
      ['spki_sha256=abc', 'spki_sha256'],
      ['serial=xyz', 'serial'],
      ['issuer_match=fuzzy', 'issuer_match'],
      ['domain=bad..name', 'domain'],
      ['active=true&active=false', 'active'],
      ['colour=blue', 'colour'],
    ];
    for (const [query, parameter] of cases) {
      const res = await get(`/certificates?${query}`);
      expect(res.status, query).toBe(400);
      const body = await json(res);
      expect(body.code, query).toBe('validation_error');
      expect(Object.keys(body.form_errors), query).toContain(parameter);
    }
  });

  it('lists the certificates of a domain, and answers 404 for an unknown domain or object', async () => {
    const res = await get('/domains/www.c.q.test/certificates');
    expect((await json(res)).items.map((c: { id: string }) => c.id)).toEqual([ids.c]);
    expect((await json(await get('/domains/c.q.test/certificates?active=false'))).total).toBe(0);
    expect((await get('/domains/unknown.q.test/certificates')).status).toBe(404);
    expect((await get('/domains/bad..name/certificates')).status).toBe(400);
    for (const path of ['/certificates/not-an-id/parse.json', '/certificates/00000000-0000-8000-8000-000000000000/parse.json']) {
      const missing = await get(path);
      expect(missing.status, path).toBe(404);
      expect((await json(missing)).code).toBe('not_found');
    }
  });
});
