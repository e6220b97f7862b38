/**
 * Authorizations and challenges one at a time (sync, trigger, deactivate), natively and on the
 * peter_sslers paths, against Pebble by dns-01.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json } from '../support/app.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let accountId: string;
const PREFIX = '/.well-known/peter_sslers';

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  accountId = await newAccount(stack);
});
afterAll(async () => {
  await stack?.close();
});

const call = async (path: string, body?: unknown) => {
  const res = await fetch(`${stack.admin.url}${path}`, body === undefined && !path.includes('/acme-server/') && !/\/(sync|trigger|deactivate|sync-authorizations|deactivate-authorizations)$/.test(path)
    ? {}
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return { status: res.status, body: await json(res) };
};
type Challenge = { id: string; type: string; status: string };
type Authorization = { id: string; status: string; identifier: { value: string }; challenges: Challenge[] };

describe('native', () => {
  it('syncs, triggers and deactivates authorizations and challenges one by one', async () => {
    const names = [uniqueName('one'), uniqueName('two'), uniqueName('three')];
    const created = await call('/api/v1/acme-orders', { account_id: accountId, domain_names_dns01: names, process: 'none' });
    const id = created.body.order.id;
    const synced = await call(`/api/v1/acme-orders/${id}/sync-authorizations`);
    const authorizations: Authorization[] = synced.body.order.authorizations;
    expect(authorizations.map((a) => a.status)).toEqual(['pending', 'pending', 'pending']);
    const byName = (name: string) => authorizations.find((a) => a.identifier.value === name)!;
    const [a1, a2] = [byName(names[0]!), byName(names[1]!)];

    expect((await call(`/api/v1/acme-authorizations/${a1.id}`)).body).toMatchObject({ id: a1.id, status: 'pending', acme_order_id: id });
    expect((await call(`/api/v1/acme-authorizations/${a1.id}/sync`)).body).toMatchObject({ result: 'success', authorization: { status: 'pending' } });
    const dns01 = a1.challenges.find((c) => c.type === 'dns-01')!;
    const http01 = a1.challenges.find((c) => c.type === 'http-01')!;
    expect((await call(`/api/v1/acme-challenges/${dns01.id}/sync`)).body).toMatchObject({ result: 'success', challenge: { status: 'pending' } });
    // The order asked for dns-01 here: its http-01 challenge is not ours to answer.
    expect((await call(`/api/v1/acme-challenges/${http01.id}/trigger`)).status).toBe(409);
    const triggered = await call(`/api/v1/acme-challenges/${dns01.id}/trigger`);
    expect(triggered.body).toMatchObject({ result: 'success', challenge: { status: 'valid', dns_record_state: 'removed' } });

    const deactivated = await call(`/api/v1/acme-authorizations/${a2.id}/deactivate`);
    expect(deactivated.body).toMatchObject({ result: 'success', authorization: { status: 'deactivated' } });
    const rest = await call(`/api/v1/acme-orders/${id}/deactivate-authorizations`);
    expect(rest.body.result).toBe('success');
    const statuses = Object.fromEntries(rest.body.order.authorizations.map((a: Authorization) => [a.identifier.value, a.status]));
    expect(statuses).toEqual({ [names[0]!]: 'valid', [names[1]!]: 'deactivated', [names[2]!]: 'deactivated' });
    const order = await call(`/api/v1/acme-orders/${id}/sync`);
    // Pebble calls such an order `deactivated`; RFC 8555 §7.1.6 has no such order status: read as invalid.
    expect(order.body.order.status).toBe('invalid');
    expect((await call(`/api/v1/acme-authorizations/${a2.id}/deactivate`)).status).toBe(409);
    const list = await call('/api/v1/acme-authorizations?status=deactivated');
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([a2.id]));
    expect((await call(`/api/v1/acme-orders?account_id=${accountId}&status=invalid`)).body.items.map((o: { id: string }) => o.id)).toContain(id);
  });
});

describe('peter_sslers paths', () => {
  const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });
  const compat = async (path: string, init?: RequestInit) => json(await fetch(`${stack.admin.url}${PREFIX}${path}`, init ?? { method: 'POST' }));

  it('walks an order through sync, trigger, finalize and download', async () => {
    const created = await compat('/acme-order/new/freeform.json', form({ acme_account_id: accountId, domain_names_dns01: uniqueName('compat'), processing_strategy: 'create_order' }));
    expect(created).toMatchObject({ result: 'success', AcmeOrder: { acme_order_processing_strategy: 'create_order', acme_order_processing_status: 'created_acme' } });
    const id = created.AcmeOrder.id;
    const synced = await compat(`/acme-order/${id}/acme-server/sync-authorizations.json`);
    expect(synced).toMatchObject({ result: 'success', operation: 'acme-server/sync-authorizations' });
    const [authorizationId] = synced.AcmeOrder.acme_authorization_ids;
    expect(await compat(`/acme-authorization/${authorizationId}/acme-server/sync.json`)).toMatchObject({ result: 'success', AcmeAuthorization: { acme_status_authorization: 'pending' } });
    const { AcmeAuthorization } = await compat(`/acme-authorization/${authorizationId}.json`, {});
    const challengeId = AcmeAuthorization.acme_challenge_dns_01_id;
    expect(await compat(`/acme-challenge/${challengeId}/acme-server/sync.json`)).toMatchObject({ result: 'success', AcmeChallenge: { acme_status_challenge: 'pending' } });
    expect(await compat(`/acme-challenge/${challengeId}/acme-server/trigger.json`)).toMatchObject({ result: 'success', AcmeChallenge: { acme_status_challenge: 'valid' } });
    expect((await compat(`/acme-order/${id}/acme-server/sync.json`)).AcmeOrder.acme_status_order).toBe('ready');
    expect((await compat(`/acme-order/${id}/acme-finalize.json`)).AcmeOrder.acme_status_order).toBe('valid');
    const downloaded = await compat(`/acme-order/${id}/acme-server/download-certificate.json`);
    expect(downloaded.AcmeOrder.certificate_signed_id).toMatch(/^[0-9a-f-]{36}$/);
    const lists = await Promise.all(['/acme-authorizations.json', '/acme-challenges.json', '/acme-orders/finished.json'].map((p) => compat(p, {})));
    expect(Object.keys(lists[0].AcmeAuthorizations)).toContain(authorizationId);
    expect(Object.keys(lists[1].AcmeChallenges)).toContain(challengeId);
    expect(lists[2].AcmeOrders.map((o: { id: string }) => o.id)).toContain(id);
  });

  it('deactivates, marks, retries and syncs the active orders', async () => {
    const created = await compat('/acme-order/new/freeform.json', form({ acme_account_id: accountId, domain_names_dns01: uniqueName('compat-off'), processing_strategy: 'create_order' }));
    const id = created.AcmeOrder.id;
    const active = await compat('/acme-orders/active/acme-server/sync.json');
    expect(active['AcmeOrderIds.success']).toContain(id);
    const deactivated = await compat(`/acme-order/${id}/acme-server/deactivate-authorizations.json`);
    expect(deactivated).toMatchObject({ result: 'success', AcmeOrder: { acme_status_order: 'invalid', is_can_retry: true } });
    const retried = await compat(`/acme-order/${id}/retry.json`);
    expect(retried).toMatchObject({ result: 'success', AcmeOrder: { acme_order_type: 'retry', retry_of: id, acme_status_order: 'pending' } });
    const marked = await compat(`/acme-order/${retried.AcmeOrder.id}/mark.json`, form({ action: 'invalid' }));
    expect(marked).toMatchObject({ result: 'success', operation: 'mark', action: 'invalid', AcmeOrder: { acme_status_order: 'invalid' } });
  });
});
