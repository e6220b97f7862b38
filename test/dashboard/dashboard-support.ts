/**
 * A dashboard over real data: a PGlite stack on the run's Pebble with an account, imported
 * certificates (a CA, a chain, RSA and EC leaves, one multi-name) and one order issued from
 * Pebble by dns-01. Every dashboard test file starts its own.
 */
import { inject } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { form, json } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';

export const PREFIX = '/.well-known/peter_sslers';
export const DASHBOARD = `${PREFIX}/dashboard`;

export type DashboardData = {
  stack: OrderStack;
  /** The admin app's origin (no path). */
  origin: string;
  token?: string;
  ca: TestCa;
  accountId: string;
  imported: { certificateId: string; names: string[] }[];
  issued: { orderId: string; certificateId: string; name: string };
  close: () => Promise<void>;
};

/** A dashboard page as a text browser gets it: no script, no cookie. */
export async function fetchPage(origin: string, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${origin}${DASHBOARD}${path}`);
  return { status: res.status, text: await res.text() };
}

export async function upload(origin: string, token: string | undefined, ca: TestCa, names: string[], keyAlgorithm: 'RSA' | 'EC' = 'EC') {
  const leaf = await issueLeaf(ca, { names, keyAlgorithm });
  const res = await fetch(`${origin}${PREFIX}/certificate-signed/upload.json`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
  });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`upload ${names.join(',')}: ${res.status} ${JSON.stringify(body)}`);
  return { certificateId: body.certificate.id as string, names, leaf };
}

export async function startDashboardData(options: { token?: string } = {}): Promise<DashboardData> {
  const stack = await startOrderStack(inject('pebble'), 'pglite', options.token ? { adminToken: options.token } : {});
  const origin = stack.admin.url;
  const ca = await createCa({ name: 'Dashboard Test CA' });
  const imported = [];
  const stamp = Date.now().toString(36);
  imported.push(await upload(origin, options.token, ca, [`www.shop-${stamp}.example.test`, `shop-${stamp}.example.test`], 'RSA'));
  imported.push(await upload(origin, options.token, ca, [`api-${stamp}.example.test`], 'EC'));
  imported.push(await upload(origin, options.token, ca, [`mail-${stamp}.example.test`], 'EC'));
  const accountId = await newAccount(stack);
  const name = uniqueName('dashboard');
  const created = await createAcmeOrder(stack.orderDeps, {
    accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], processing: 'all',
  }, { actor: 'test' });
  const head = await stack.deps.store.headPosition();
  await stack.deps.projections.waitFor(head, { timeoutMs: 30_000 });
  const issuedOrder = await stack.handle.db.selectFrom('acme_orders').select(['id', 'status', 'certificate_id']).where('id', '=', created.orderId).executeTakeFirstOrThrow();
  if (issuedOrder.status !== 'valid' || !issuedOrder.certificate_id) throw new Error(`the seed order did not issue: ${JSON.stringify(issuedOrder)}`);
  return {
    stack, origin, token: options.token, ca, accountId, imported,
    issued: { orderId: created.orderId, certificateId: issuedOrder.certificate_id, name },
    close: () => stack.close(),
  };
}
