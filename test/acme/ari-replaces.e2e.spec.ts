/**
 * RFC 9773 §5 `replaces` in newOrder against the real Pebble behind the ARI test responder:
 * sent with the replaced certificate's identifier, and sent again without it when the CA
 * refuses it — the order still ends valid.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { loadOrder } from '../../src/commands/acme-order/order-stream.js';
import { ariCertificateIdentifier } from '../../src/infra/acme/ari.js';
import { startAriResponder, type AriResponder } from '../support/ari-responder.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let responder: AriResponder;
let stack: OrderStack;
let accountId: string;
let replaced: string;
const name = uniqueName('replaces');

const order = async (replaces?: string) => {
  const created = await createAcmeOrder(stack.orderDeps, {
    accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], processing: 'all', ...(replaces === undefined ? {} : { replaces }),
  });
  expect(created.report.steps.every((s) => s.ok), stepsText(created.report.steps)).toBe(true);
  await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
  const row = await stack.deps.db.selectFrom('acme_orders').innerJoin('certificates', 'certificates.id', 'acme_orders.certificate_id')
    .select(['acme_orders.status', 'certificates.pem']).where('acme_orders.id', '=', created.orderId).executeTakeFirstOrThrow();
  return { orderId: created.orderId, ...row };
};

beforeAll(async () => {
  responder = await startAriResponder(inject('pebble'));
  stack = await startOrderStack({ ...inject('pebble'), directoryUrl: responder.directoryUrl, caPem: responder.caPem });
  accountId = await newAccount(stack);
  replaced = ariCertificateIdentifier((await order()).pem);
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await responder?.close();
});

describe('replaces (RFC 9773 §5)', () => {
  it('sends the replaced certificate\'s ARI identifier in newOrder and records it on the order', async () => {
    responder.newOrderPayloads.length = 0;
    const renewed = await order(replaced);
    expect(renewed.status).toBe('valid');
    // Pebble refuses some nonces on purpose (badNonce, resent by the transport): one payload or more, all alike.
    expect(responder.newOrderPayloads.length).toBeGreaterThanOrEqual(1);
    for (const payload of responder.newOrderPayloads) expect(payload).toMatchObject({ identifiers: [{ type: 'dns', value: name }], replaces: replaced });
    expect((await loadOrder(stack.deps.store, renewed.orderId)).replaces).toBe(replaced);
  });

  it('orders again without replaces when the CA refuses it', async () => {
    responder.newOrderPayloads.length = 0;
    responder.rejectReplaces = true;
    try {
      const renewed = await order(replaced);
      expect(renewed.status).toBe('valid');
      // Deduplicated: a badNonce resend repeats a payload (Pebble refuses some nonces on purpose).
      const sent = responder.newOrderPayloads.map((p) => p.replaces).filter((value, i, all) => i === 0 || value !== all[i - 1]);
      expect(sent).toEqual([replaced, undefined]);
      const events = await stack.deps.store.readStream(`acmeOrder-${renewed.orderId}`);
      const newOrders = events.filter((e) => e.type === 'AcmeExchangeRecorded' && (e.data as { requestKind: string }).requestKind === 'newOrder');
      const statuses = newOrders.filter((e) => (e.data as { problem?: { type: string } }).problem?.type !== 'urn:ietf:params:acme:error:badNonce').map((e) => (e.data as { status: number }).status);
      expect(statuses).toEqual([409, 201]);
    } finally {
      responder.rejectReplaces = false;
    }
  });
});
