/**
 * Private key cycling policies on real issuance: the same key where the policy says so, a new
 * one where it does not, never one key across accounts for account_* policies, one key for
 * concurrent orders of one slot.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import type { KeyPolicy } from '../../src/domain/acme-order/key-cycle.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let accountA: string;
let accountB: string;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  [accountA, accountB] = await Promise.all([newAccount(stack), newAccount(stack)]);
});
afterAll(async () => {
  await stack?.close();
});

type Issued = { privateKeyId: string; keyPolicy: string; certificateKey: string };

/** One certificate by dns-01; the key the order's CSR carried and the certificate's own key. */
async function issue(accountId: string, keyPolicy: KeyPolicy, keyTechnology: string, names = [uniqueName('cycle')]): Promise<Issued> {
  const created = await createAcmeOrder(stack.orderDeps, {
    accountId, keyPolicy, keyTechnology, processing: 'all', identifiers: names.map((value) => ({ type: 'dns' as const, value, challengeType: 'dns-01' as const })),
  });
  expect(created.report.next, stepsText(created.report.steps)).toBe('done');
  const events = await stack.deps.store.readStream(`acmeOrder-${created.orderId}`);
  const finalized = events.find((e) => e.type === 'AcmeOrderFinalized')!.data as { privateKeyId: string; keyPolicy: string };
  const downloaded = events.find((e) => e.type === 'AcmeCertificateDownloaded')!.data as { certificateId: string };
  await stack.deps.projections.waitFor(events.at(-1)!.position);
  const certificate = await stack.deps.db.selectFrom('certificates').select('private_key_id').where('id', '=', downloaded.certificateId).executeTakeFirstOrThrow();
  return { privateKeyId: finalized.privateKeyId, keyPolicy: finalized.keyPolicy, certificateKey: certificate.private_key_id };
}

describe('key cycling policies', () => {
  it('single_use: a new key for every order', async () => {
    const [a, b] = [await issue(accountA, 'single_use', 'EC_P256'), await issue(accountA, 'single_use', 'EC_P256')];
    expect(a.privateKeyId).not.toBe(b.privateKeyId);
    expect(a.certificateKey).toBe(a.privateKeyId);
  });

  it.each(['account_daily', 'account_weekly'] as const)('%s: one key per account, never shared with another account', async (policy) => {
    const a1 = await issue(accountA, policy, 'EC_P384');
    const a2 = await issue(accountA, policy, 'EC_P384');
    const b1 = await issue(accountB, policy, 'EC_P384');
    expect(a2.privateKeyId).toBe(a1.privateKeyId);
    expect(a2.certificateKey).toBe(a1.privateKeyId);
    expect(b1.privateKeyId).not.toBe(a1.privateKeyId);
    // Another technology is another slot.
    expect((await issue(accountA, policy, 'RSA_2048')).privateKeyId).not.toBe(a1.privateKeyId);
  });

  it.each(['global_daily', 'global_weekly'] as const)('%s: one key across accounts', async (policy) => {
    const technology = policy === 'global_daily' ? 'RSA_3072' : 'EC_P256';
    const a = await issue(accountA, policy, technology);
    const b = await issue(accountB, policy, technology);
    expect(b.privateKeyId).toBe(a.privateKeyId);
    expect(b.keyPolicy).toBe(policy);
  });

  it('single_use__reuse_1_year: the same names reuse their key, other names get their own', async () => {
    const names = [uniqueName('yearly-a'), uniqueName('yearly-b')];
    const first = await issue(accountA, 'single_use__reuse_1_year', 'EC_P256', names);
    const again = await issue(accountA, 'single_use__reuse_1_year', 'EC_P256', [...names].reverse());
    const other = await issue(accountA, 'single_use__reuse_1_year', 'EC_P256');
    const otherAccount = await issue(accountB, 'single_use__reuse_1_year', 'EC_P256', names);
    expect(again.privateKeyId).toBe(first.privateKeyId);
    expect(other.privateKeyId).not.toBe(first.privateKeyId);
    expect(otherAccount.privateKeyId).not.toBe(first.privateKeyId);
  });

  it('account_default: the account\'s own policy applies', async () => {
    const account = await newAccount(stack, { orderDefaults: { privateKeyTechnology: 'EC_P256', privateKeyCycle: 'account_daily' } });
    const a = await issue(account, 'account_default', 'EC_P256');
    const b = await issue(account, 'account_default', 'EC_P256');
    expect(a.keyPolicy).toBe('account_daily');
    expect(b.privateKeyId).toBe(a.privateKeyId);
  });

  it('concurrent orders of one slot share one key (the slot\'s first assignment wins)', async () => {
    const account = await newAccount(stack);
    const issued = await Promise.all(Array.from({ length: 4 }, () => issue(account, 'account_weekly', 'EC_P256')));
    expect(new Set(issued.map((i) => i.privateKeyId)).size).toBe(1);
  });

  it('a compromised key is not handed out again', async () => {
    const account = await newAccount(stack);
    const first = await issue(account, 'account_daily', 'RSA_2048');
    const res = await fetch(`${stack.admin.url}/api/v1/private-keys/${first.privateKeyId}/compromise`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'test' }),
    });
    expect(res.status).toBe(200);
    const next = await issue(account, 'account_daily', 'RSA_2048');
    expect(next.privateKeyId).not.toBe(first.privateKeyId);
  });
});
