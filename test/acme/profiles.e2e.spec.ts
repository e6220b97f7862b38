/**
 * ACME profiles (draft-ietf-acme-profiles) from the directory's meta.profiles, against the real
 * Pebble behind the ARI test responder: offered over the API, sent in newOrder when an order
 * names one, refused before anything is recorded or sent when the server does not offer it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { loadOrder } from '../../src/commands/acme-order/order-stream.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { json } from '../support/app.js';
import { startAriResponder, type AriResponder } from '../support/ari-responder.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let responder: AriResponder;
let stack: OrderStack;
let accountId: string;

beforeAll(async () => {
  responder = await startAriResponder(inject('pebble'), { profiles: { classic: 'As always', tlsserver: 'TLS server only' } });
  stack = await startOrderStack({ ...inject('pebble'), directoryUrl: responder.directoryUrl, caPem: responder.caPem });
  accountId = await newAccount(stack);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await responder?.close();
});

describe('profiles', () => {
  it('lists the profiles the server offers', async () => {
    const res = await fetch(`${stack.admin.url}/api/v1/acme-servers/${stack.acmeServerId}/profiles`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ items: [{ name: 'classic', description: 'As always' }, { name: 'tlsserver', description: 'TLS server only' }], total: 2 });
    expect((await fetch(`${stack.admin.url}/api/v1/acme-servers/00000000-0000-4000-8000-000000000000/profiles`)).status).toBe(404);
  });

  it('sends the named profile in newOrder', async () => {
    responder.newOrderPayloads.length = 0;
    const name = uniqueName('profile');
    const created = await createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], processing: 'all', profile: 'tlsserver' });
    expect(created.report.steps.every((s) => s.ok), stepsText(created.report.steps)).toBe(true);
    // One payload, or more when Pebble refused a nonce on purpose and the transport resent it.
    expect(responder.newOrderPayloads.length).toBeGreaterThanOrEqual(1);
    for (const payload of responder.newOrderPayloads) expect(payload).toEqual({ identifiers: [{ type: 'dns', value: name }], profile: 'tlsserver' });
    expect((await loadOrder(stack.deps.store, created.orderId)).profile).toBe('tlsserver');
  });

  it('refuses a profile the server does not offer, before recording or sending anything', async () => {
    responder.newOrderPayloads.length = 0;
    const before = await stack.deps.store.headPosition();
    const attempt = createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: uniqueName('profile'), challengeType: 'dns-01' }], processing: 'all', profile: 'shortlived' });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toMatchObject({ fields: { profile: expect.stringContaining('classic, tlsserver') } });
    expect(responder.newOrderPayloads).toEqual([]);
    expect(await stack.deps.store.headPosition()).toBe(before);
  });
});
