import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { form, json } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { newAccount, startOrderStack, type OrderStack } from '../acme/orders-support.js';

/** The native lists' search (name_contains) and order (sort, dir): the same query functions the dashboard's lists use. */
describe('GET list routes: name_contains, sort and dir', () => {
  let stack: OrderStack;
  let ca: TestCa;
  const stamp = Date.now().toString(36);
  const names = [`alpha-${stamp}.list.test`, `bravo-${stamp}.list.test`, `charlie-${stamp}.other.test`];

  beforeAll(async () => {
    stack = await startOrderStack(inject('pebble'));
    ca = await createCa();
    for (const [i, name] of names.entries()) {
      const leaf = await issueLeaf(ca, { names: [name], keyAlgorithm: 'EC', notAfter: new Date(Date.now() + (30 + i * 10) * 86_400_000) });
      const res = await fetch(`${stack.admin.url}/.well-known/peter_sslers/certificate-signed/upload.json`, {
        method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
      });
      expect(res.status).toBe(200);
    }
    const accountId = await newAccount(stack);
    for (const name of names) {
      await createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], processing: 'step' }, { actor: 'test' });
    }
    await stack.deps.projections.waitFor(await stack.deps.store.headPosition(), { timeoutMs: 30_000 });
  }, 120_000);
  afterAll(async () => stack?.close());

  const get = async (path: string) => {
    const res = await fetch(`${stack.admin.url}/api/v1${path}`);
    return { status: res.status, body: await json(res) };
  };
  const firstNames = (items: { domain_names?: string[]; domain_name?: string; identifiers?: { value: string }[] }[]) =>
    items.map((i) => i.domain_name ?? i.domain_names?.[0] ?? i.identifiers?.[0]?.value);

  it('certificates: a name fragment narrows, sort and dir order', async () => {
    const found = await get(`/certificates?name_contains=${stamp}.LIST&sort=names&dir=desc`);
    expect(found.status).toBe(200);
    expect(firstNames(found.body.items)).toEqual([names[1], names[0]]);
    const byExpiry = await get(`/certificates?name_contains=${stamp}&sort=expires&dir=desc`);
    expect(firstNames(byExpiry.body.items)).toEqual([names[2], names[1], names[0]]);
  });

  it('domains: a name fragment narrows, sort and dir order', async () => {
    const found = await get(`/domains?name_contains=${stamp}&sort=name&dir=desc`);
    expect(found.status).toBe(200);
    expect(firstNames(found.body.items)).toEqual([names[2], names[1], names[0]]);
  });

  it('ACME orders: a name fragment narrows, sort and dir order', async () => {
    const found = await get(`/acme-orders?name_contains=${stamp}.list&sort=names&dir=asc`);
    expect(found.status).toBe(200);
    expect(firstNames(found.body.items)).toEqual([names[0], names[1]]);
  });

  it('refuses an unknown sort or direction, naming the field', async () => {
    for (const path of ['/certificates?sort=serial', '/domains?sort=expires', '/acme-orders?sort=name', '/certificates?sort=names&dir=up', '/domains?name_contains=']) {
      const refused = await get(path);
      expect(refused.status, path).toBe(400);
      expect(Object.keys(refused.body.form_errors), path).toHaveLength(1);
    }
  });
});
