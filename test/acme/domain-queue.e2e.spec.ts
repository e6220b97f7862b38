/**
 * The domain queue against Pebble: adding activates a managed but inactive domain, queues a new
 * name and ignores a known active one; processing turns the queued names into one order.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { deactivateDomain } from '../../src/commands/domain/deactivate-domain.js';
import { json } from '../support/app.js';
import { holdHttpPort, newAccount, startOrderStack, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let release: () => Promise<void>;
let accountId: string;
const PREFIX = '/.well-known/peter_sslers';

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  release = await holdHttpPort(stack);
  accountId = await newAccount(stack);
  stack.deps.autocertNames = { blocklist: ['forbidden-*'], allow: [] };
});
afterAll(async () => {
  await release?.();
  await stack?.close();
});

const api = (path: string, body?: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, body === undefined ? {} : {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
const compat = (path: string, fields: Record<string, string>) => fetch(`${stack.admin.url}${PREFIX}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
});

/** A name the catalog knows, from a real order. */
async function managed(label: string): Promise<string> {
  const name = uniqueName(label);
  const created = await createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'http-01' }], processing: 'all' });
  expect(created.report.next).toBe('done');
  await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
  return name;
}

describe('domain queue', () => {
  let active: string;
  let inactive: string;
  const fresh = [uniqueName('queued-a'), uniqueName('queued-b')];

  beforeAll(async () => {
    active = await managed('queue-active');
    inactive = await managed('queue-inactive');
    const marked = await deactivateDomain(stack.deps, inactive, { reason: 'test', actor: 'test' });
    await stack.deps.projections.waitFor(marked.position!);
  });

  it('activates a managed inactive domain, queues new names, ignores a known active one', async () => {
    const res = await api('/domain-queue', { domain_names: [active, inactive, ...fresh] });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.domains).toEqual({ [active]: 'active', [inactive]: 'activated', [fresh[0]!]: 'queued', [fresh[1]!]: 'queued' });
    const config = await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${inactive}/config.json`));
    expect(config.domain.is_active).toBe(true);
    expect(config.certificate_signed__latest_single).not.toBeNull();
    expect((await json(await api('/domain-queue'))).queued).toEqual(fresh);
  });

  it('on the peter_sslers path: already queued names and blocklisted ones', async () => {
    const blocked = uniqueName('forbidden-q');
    const body = await json(await compat('/queue-domains/add.json', { domain_names_http01: `${fresh[0]},${blocked}` }));
    expect(body).toEqual({ result: 'success', domains: { [fresh[0]!]: 'already_queued', [blocked]: 'blocklisted' } });
    expect((await json(await fetch(`${stack.admin.url}${PREFIX}/queue-domains/all.json`))).QueueDomains_count).toBe(2);
  });

  it('processes the queued names into one order, and then finds the queue empty', async () => {
    const res = await api('/domain-queue/process', { acme_account_id: accountId });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.batch).toMatchObject({ domain_names: fresh, ok: true, order_id: expect.any(String), certificate_id: expect.any(String), renewal_configuration_id: expect.any(String) });
    const order = await json(await api(`/acme-orders/${body.batch.order_id}`));
    expect(order.status).toBe('valid');
    const pem = await (await api(`/certificates/${body.batch.certificate_id}/cert.pem`)).text();
    expect(new X509Certificate(pem).subjectAltName!.split(', ').sort()).toEqual(fresh.map((n) => `DNS:${n}`).sort());
    const queue = await json(await api('/domain-queue'));
    expect(queue.queued).toEqual([]);
    expect(queue.ordered).toEqual({ [fresh[0]!]: body.batch.order_id, [fresh[1]!]: body.batch.order_id });
    expect(await json(await api('/domain-queue/process', { acme_account_id: accountId }))).toMatchObject({ result: 'success', batch: null });
    expect(await json(await compat('/queue-domains/process.json', { account_key_existing: accountId }))).toEqual({ result: 'error', error: 'No items in the Domain Queue to process' });
    // Ordered names are not queued again.
    expect((await json(await api('/domain-queue', { domain_names: [fresh[0]] }))).domains).toEqual({ [fresh[0]!]: 'active' });
  });

  it('on the peter_sslers path: process.json answers with the AcmeOrder', async () => {
    const name = uniqueName('queued-compat');
    await compat('/queue-domains/add.json', { domain_names_http01: name });
    const body = await json(await compat('/queue-domains/process.json', { account_key_existing: accountId, processing_strategy: 'process_single' }));
    expect(body).toMatchObject({ result: 'success', AcmeOrder: { id: expect.any(String), domains: [name] } });
  });

  it('needs an account: named, or from the global policy', async () => {
    await api('/domain-queue', { domain_names: [uniqueName('queued-none')] });
    const res = await api('/domain-queue/process', {});
    expect(res.status).toBe(400);
    expect((await json(res)).form_errors.acme_account_id).toMatch(/global/);
  });
});
