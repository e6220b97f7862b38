/**
 * The history of an ACME order obtained from Pebble (http-01 through our public app): every event
 * of the order's stream (exchanges, challenges, finalize, download), the certificate it brought
 * and a later mark, in order; the domain's history holds all of it too.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json } from '../support/app.js';
import { holdHttpPort, newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';

let stack: OrderStack;
let release: () => Promise<void>;
type Item = { position: string; id: string; stream: string; type: string; data: Record<string, unknown> };

const api = (path: string, body?: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, body === undefined ? {} : {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

async function all(path: string): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null = null;
  do {
    const res = await api(`${path}?limit=7${after === null ? '' : `&after=${after}`}`);
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    items.push(...body.items);
    after = body.next_after;
  } while (after !== null);
  return items;
}

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  release = await holdHttpPort(stack);
});
afterAll(async () => {
  await release?.();
  await stack?.close();
});

describe('history of an ACME order from Pebble', () => {
  const names = [uniqueName('audit'), uniqueName('audit-www')];
  let order: { id: string; certificate_id: string };

  beforeAll(async () => {
    const accountId = await newAccount(stack);
    const res = await api('/acme-orders', { account_id: accountId, domain_names_http01: names, process: 'all' });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    order = body.order;
    expect((await api(`/certificates/${order.certificate_id}/deactivate`, { reason: 'audit test' })).status).toBe(200);
    await stack.projectionSet.waitFor(await stack.deps.store.headPosition());
  }, 120_000);

  it('lists every event of the order, its certificate and the mark, in order', async () => {
    const items = await all(`/acme-orders/${order.id}/history`);
    const positions = items.map((i) => BigInt(i.position));
    expect(positions).toEqual([...positions].sort((x, y) => (x < y ? -1 : 1)));
    const log = await stack.deps.store.readAll({ maxCount: 100_000 });
    const expected = log.filter((e) => e.streamName === `acmeOrder-${order.id}` || e.streamName === `certificate-${order.certificate_id}`);
    expect(items.map((i) => i.id)).toEqual(expected.map((e) => e.id));
    const types = new Set(items.map((i) => i.type));
    for (const type of ['AcmeOrderCreated', 'AcmeOrderSubmitted', 'AcmeExchangeRecorded', 'AcmeAuthorizationSynced', 'AcmeChallengePrepared',
      'AcmeChallengeTriggered', 'AcmeOrderFinalized', 'AcmeCertificateDownloaded', 'CertificateImported', 'CertificateChainLinked', 'CertificateDeactivated']) {
      expect(types, type).toContain(type);
    }
    expect(items.at(-1)!.type).toBe('CertificateDeactivated');
    // Exchanges are recorded without secrets: neither the certificate key nor the account key is in the log.
    const everything = JSON.stringify(log.map((e) => e.data));
    expect(everything).not.toMatch(/PRIVATE KEY/);
    const finalized = items.find((i) => i.type === 'AcmeOrderFinalized')!;
    const der = await stack.deps.vault.get(String(finalized.data.privateKeyId));
    for (const encoded of [der.toString('base64'), der.toString('base64url'), der.toString('hex')]) expect(everything).not.toContain(encoded.slice(40, 120));
    expect(everything).not.toMatch(/"d":"[A-Za-z0-9_-]{40,}"/);
  });

  it('puts the whole order into the history of each of its names', async () => {
    const orderIds = (await all(`/acme-orders/${order.id}/history`)).map((i) => i.id);
    for (const name of names) {
      const domainIds = (await all(`/domains/${name}/history`)).map((i) => i.id);
      expect(domainIds).toEqual(expect.arrayContaining(orderIds));
    }
  });
});
