import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain } from '../support/pki.js';
import { json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
const T = new Date(Math.floor(Date.now() / 1000) * 1000);

describe.each(['pglite', 'postgres'] as const)('domain queries on %s', (kind) => {
  let stack: TestStack;
  const certificateIds: Record<string, string> = {};
  const api = (path: string) => fetch(`${stack.admin.url}/api/v1${path}`);
  const compat = (path: string) => fetch(`${stack.admin.url}${PREFIX}${path}`, { redirect: 'manual' });
  const names = async (query: string) => {
    const res = await api(`/domains?${query}`);
    expect(res.status, query).toBe(200);
    return (await json(res)).items.map((d: { domain_name: string }) => d.domain_name);
  };

  beforeAll(async () => {
    stack = await startTestStack(kind, { now: () => T });
    const seeds: [string, string[], number][] = [
      ['soon', ['soon.d.test'], 7 * DAY],
      ['later', ['later.d.test'], 7 * DAY + 1000],
      ['pair', ['pair.d.test', 'www.pair.d.test'], 60 * DAY],
      // soon.d.test is also named by a long-lived multi certificate: one served certificate expiring is enough.
      ['soonmulti', ['soon.d.test', 'other.d.test'], 90 * DAY],
      ['gone', ['gone.d.test'], -DAY],
    ];
    for (const [key, domainNames, lifetime] of seeds) {
      const chain = await createTestChain({
        names: domainNames,
        notBefore: new Date(T.getTime() - 100 * DAY),
        notAfter: new Date(T.getTime() + lifetime),
        keyAlgorithm: 'EC',
      });
      const res = await fetch(`${stack.admin.url}/api/v1/certificates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: chain.leaf.certPem, private_key: chain.leaf.keyPem, chain: chain.chainPem }),
      });
      expect(res.status, key).toBe(201);
      certificateIds[key] = (await json(res)).certificate.id;
    }
  });
  afterAll(async () => stack?.close());

  it('lists every domain by name with its latest single and multi certificates', async () => {
    const body = await json(await api('/domains'));
    expect(body).toMatchObject({ total: 6, limit: 50, offset: 0 });
    expect(body.items.map((d: { domain_name: string }) => d.domain_name)).toEqual([
      'gone.d.test', 'later.d.test', 'other.d.test', 'pair.d.test', 'soon.d.test', 'www.pair.d.test',
    ]);
    const soon = body.items.find((d: { domain_name: string }) => d.domain_name === 'soon.d.test');
    expect(soon).toMatchObject({
      is_active: true,
      certificate_latest_single_id: certificateIds.soon,
      certificate_latest_multi_id: certificateIds.soonmulti,
      certificate_latest_single: { id: certificateIds.soon, not_after: new Date(T.getTime() + 7 * DAY).toISOString(), is_active: true },
    });
    const gone = body.items.find((d: { domain_name: string }) => d.domain_name === 'gone.d.test');
    expect(gone).toMatchObject({ certificate_latest_single_id: null, certificate_latest_multi_id: null, certificate_latest_single: null });
  });

  it('filters by name prefix, expiry window of the served certificates and missing coverage', async () => {
    expect(await names('name_prefix=www.')).toEqual(['www.pair.d.test']);
    expect(await names('name_prefix=PAIR')).toEqual(['pair.d.test']);
    expect(await names('expiring_within_days=7')).toEqual(['soon.d.test']);
    expect(await names('expiring_within_days=8')).toEqual(['soon.d.test', 'later.d.test']);
    expect(await names('without_active_certificate=true')).toEqual(['gone.d.test']);
    expect(await names('without_active_certificate=false&name_prefix=gone')).toEqual([]);
    expect(await names('active=true&limit=2&offset=5')).toEqual(['www.pair.d.test']);
    const empty = await json(await api('/domains?offset=50'));
    expect(empty).toEqual({ items: [], total: 6, limit: 50, offset: 50 });
  });

  it('answers bad domain filters with 400 naming the parameter', async () => {
    for (const [query, parameter] of [['name_prefix=%25', 'name_prefix'], ['expiring_within_days=soon', 'expiring_within_days'], ['without_active_certificate=2', 'without_active_certificate'], ['limit=0', 'limit'], ['sort=serial', 'sort'], ['dir=up', 'dir']]) {
      const res = await api(`/domains?${query}`);
      expect(res.status, query).toBe(400);
      expect(Object.keys((await json(res)).form_errors), query).toContain(parameter);
    }
  });

  it('serves the peter_sslers domain lists, pages and focus', async () => {
    const all = await json(await compat('/domains.json'));
    expect(all.pagination).toEqual({ total_items: 6, page: 1, page_next: null });
    const soon = Object.values(all.Domains).find((d) => (d as { domain_name: string }).domain_name === 'soon.d.test') as Record<string, unknown>;
    expect(soon).toMatchObject({
      acme_challenge_domain_name: '_acme-challenge.soon.d.test.',
      certificate__latest_single: { id: certificateIds.soon, expiring_days: 7, is_active: true },
      certificate__latest_multi: { id: certificateIds.soonmulti },
    });
    expect(Object.keys((await json(await compat('/domains/1.json'))).Domains)).toEqual(Object.keys(all.Domains));

    const expiring = await json(await compat('/domains/expiring.json?expiring_days=7'));
    expect(Object.values(expiring.Domains).map((d) => (d as { domain_name: string }).domain_name)).toEqual(['soon.d.test']);
    expect(Object.keys((await json(await compat('/domains/expiring.json'))).Domains)).toHaveLength(1);

    const zero = await compat('/domains/0.json');
    expect(zero.status).toBe(302);
    expect(zero.headers.get('location')).toBe(`${PREFIX}/domains/1.json`);
    const past = await compat('/domains/expiring/9.json?expiring_days=30');
    expect(past.status).toBe(302);
    expect(past.headers.get('location')).toBe(`${PREFIX}/domains/expiring/1.json?expiring_days=30`);
    expect((await compat('/domains/abc.json')).status).toBe(404);
    expect((await compat('/domains/expiring.json?expiring_days=-3')).status).toBe(400);

    const focus = await json(await compat('/domain/pair.d.test.json'));
    expect(focus.Domain).toMatchObject({ domain_name: 'pair.d.test', certificate__latest_single: {}, certificate__latest_multi: { id: certificateIds.pair } });
    expect((await json(await compat(`/domain/${focus.Domain.id}.json`))).Domain.domain_name).toBe('pair.d.test');
    expect((await compat('/domain/unknown.d.test.json')).status).toBe(404);

    const multi = await json(await compat('/domain/soon.d.test/certificate-signeds/multi.json'));
    expect(Object.keys(multi.CertificateSigneds)).toEqual([certificateIds.soonmulti]);
    expect(multi).toMatchObject({ CertificateSigneds_count: 1, Domain: { domain_name: 'soon.d.test' }, pagination: { total_items: 1 } });
    const single = await json(await compat('/domain/soon.d.test/certificate-signeds/single.json'));
    expect(Object.keys(single.CertificateSigneds)).toEqual([certificateIds.soon]);
    const every = await json(await compat('/domain/soon.d.test/certificate-signeds/all/1.json'));
    expect(Object.keys(every.CertificateSigneds)).toEqual([certificateIds.soon, certificateIds.soonmulti]);
  });
});
