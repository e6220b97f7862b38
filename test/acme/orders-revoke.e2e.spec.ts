/** Revocation at Pebble (RFC 8555 §7.6) with the account key or the certificate's key, then in the catalog. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { json } from '../support/app.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let accountId: string;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  accountId = await newAccount(stack);
});
afterAll(async () => {
  await stack?.close();
});

const revoke = (on: OrderStack, certificateId: string, body: unknown) => fetch(`${on.admin.url}/api/v1/certificates/${certificateId}/revoke-acme`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

async function issued(keyTechnology = 'EC_P256'): Promise<{ orderId: string; certificateId: string }> {
  const created = await createAcmeOrder(stack.orderDeps, {
    accountId, keyTechnology, keyPolicy: 'single_use', processing: 'all', identifiers: [{ type: 'dns', value: uniqueName('revoke'), challengeType: 'dns-01' }],
  });
  expect(created.report.next, stepsText(created.report.steps)).toBe('done');
  const events = await stack.deps.store.readStream(`acmeOrder-${created.orderId}`);
  await stack.deps.projections.waitFor(events.at(-1)!.position);
  return { orderId: created.orderId, certificateId: (events.find((e) => e.type === 'AcmeCertificateDownloaded')!.data as { certificateId: string }).certificateId };
}

const revocationExchanges = async (streamName: string) => (await stack.deps.store.readStream(streamName))
  .filter((e) => e.type === 'AcmeExchangeRecorded' && (e.data as { requestKind: string }).requestKind === 'revokeCert')
  .map((e) => (e.data as { status: number | null }).status);

describe('revoke', () => {
  it('with the account key: revoked at the CA, recorded on the order, marked in the catalog', async () => {
    const { orderId, certificateId } = await issued();
    const res = await revoke(stack, certificateId, { reason_code: 4, sign_with: 'account' });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ result: 'success', acme_order_id: orderId, already_revoked: false, changed: true });
    const { certificate } = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${certificateId}`));
    expect(certificate).toMatchObject({ is_revoked: true, is_active: false });
    expect(certificate.deactivation_reason).toContain('superseded');
    expect((await json(await fetch(`${stack.admin.url}/api/v1/acme-orders/${orderId}`))).is_revoked).toBe(true);
    const events = await stack.deps.store.readStream(`acmeOrder-${orderId}`);
    expect(events.find((e) => e.type === 'AcmeCertificateRevoked')?.data).toMatchObject({ certificateId, reasonCode: 4, signedWith: 'account' });
    expect(await revocationExchanges(`acmeOrder-${orderId}`)).toContain(200);

    // Again: the CA says alreadyRevoked (RFC 8555 §6.7), which counts as done.
    const again = await json(await revoke(stack, certificateId, { reason_code: 4 }));
    expect(again).toMatchObject({ result: 'success', already_revoked: true, changed: false });
  });

  it('with the certificate\'s own key (jwk), whatever the key technology', async () => {
    for (const technology of ['RSA_2048', 'EC_P384']) {
      const { orderId, certificateId } = await issued(technology);
      const body = await json(await revoke(stack, certificateId, { reason_code: 1, sign_with: 'certificate_key' }));
      expect(body, JSON.stringify(body)).toMatchObject({ result: 'success', already_revoked: false, changed: true });
      const events = await stack.deps.store.readStream(`acmeOrder-${orderId}`);
      expect(events.find((e) => e.type === 'AcmeCertificateRevoked')?.data).toMatchObject({ reasonCode: 1, signedWith: 'certificateKey' });
    }
  });

  it('a certificate no order here issued: revoked with its key on its own revocation stream', async () => {
    const { certificateId } = await issued();
    const config = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${certificateId}/config.json`));
    const other = await startOrderStack(inject('pebble'));
    try {
      const upload = await fetch(`${other.admin.url}/api/v1/certificates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: config.certificate.pem, private_key: config.private_key.pem, chain: config.chain.pem }),
      });
      expect(upload.status).toBe(201);
      const withoutAccount = await json(await revoke(other, certificateId, { reason_code: 0, sign_with: 'account' }));
      expect(withoutAccount.form_errors).toHaveProperty('account_id');
      const res = await revoke(other, certificateId, { reason_code: 5, sign_with: 'certificate_key', acme_server_id: other.acmeServerId });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ acme_order_id: null, already_revoked: false, changed: true });
      const stream = await other.deps.store.readStream(`acmeRevocation-${certificateId}`);
      expect(stream.map((e) => e.type)).toEqual(expect.arrayContaining(['AcmeExchangeRecorded', 'AcmeCertificateRevoked']));
    } finally {
      await other.close();
    }
  });

  it('refuses a reason code RFC 5280 does not define', async () => {
    const res = await revoke(stack, '00000000-0000-8000-8000-000000000000', { reason_code: 7 });
    expect(res.status).toBe(400);
  });
});
