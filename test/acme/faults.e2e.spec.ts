import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { json } from '../support/app.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from './orders-support.js';

type OrderAnswer = { status: number; body: { result: string; order: { id: string; status: string; certificate_id?: string | null }; steps: { step: string; ok: boolean; error?: { message?: string } }[]; next_step: string | null } };

/**
 * Orders against Pebble through a proxy that breaks one step: each ends valid (at once, or after
 * the operator's next call) or failed with the problem recorded — never stuck, never sent twice.
 */
describe('ACME faults at chosen steps (fault proxy in front of Pebble)', () => {
  let proxy: FaultProxy;
  let stack: OrderStack;
  let accountId: string;

  beforeAll(async () => {
    proxy = await startFaultProxy(inject('pebble'));
    stack = await startOrderStack({ ...inject('pebble'), directoryUrl: proxy.directoryUrl, caPem: proxy.caPem });
    accountId = await newAccount(stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });
  afterEach((context) => {
    const posts = [...proxy.upstream].filter(([key]) => key.startsWith('POST')).map(([key, n]) => `${key.slice(5)}×${n}`).join(', ');
    console.log(`fault "${context.task.name.split(':')[0]}": fired ${proxy.fired.join('; ') || 'nothing'}; POSTs the CA received: ${posts}`);
  });
  beforeEach(() => {
    proxy.faults.length = 0;
    proxy.upstream.clear();
    proxy.fired.length = 0;
  });

  const call = async (path: string, body: unknown = {}): Promise<OrderAnswer> => {
    const res = await fetch(`${stack.admin.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await json(res) };
  };
  const order = (name: string) => call('/acme-orders', { account_id: accountId, domain_names_dns01: [name], process: 'all' });
  const upstream = (key: string) => proxy.upstream.get(key) ?? 0;
  /** The operator's "next step" button until the order is done or failed. */
  const finish = async (orderId: string): Promise<OrderAnswer> => {
    for (let i = 0; ; i++) {
      const answer = await call(`/acme-orders/${orderId}/process`);
      if (answer.body.next_step === 'done' || answer.body.next_step === 'failed' || i === 8) return answer;
    }
  };
  const withFault = (fault: Fault) => proxy.faults.push(fault);

  it('newOrder refused (503 with Retry-After) before the CA saw it: an error naming the CA problem, no order sent twice, a new request works', async () => {
    withFault({ step: 'newOrder', method: 'POST', when: 'before', action: { kind: 'status', status: 503, retryAfter: 2 } });
    const failed = await order(uniqueName('fault-neworder'));
    // Our order exists (201) and says what the CA answered; submitting is still its next step.
    expect(failed.body.result).toBe('error');
    expect(failed.body.next_step).toBe('submit');
    expect(JSON.stringify((failed.body.order as { last_failure?: unknown }).last_failure)).toMatch(/"step":"submit".*injected by the fault proxy/);
    expect(proxy.fired).toEqual(['before POST newOrder: status']);
    expect(upstream('POST newOrder')).toBe(0);
    const done = await finish(failed.body.order.id);
    expect(done.body.order.status).toBe('valid');
    expect(upstream('POST newOrder')).toBe(1);
  });

  it('finalize applied by the CA but its answer dropped: not replayed; the next sync finds the certificate', async () => {
    withFault({ step: 'finalize', method: 'POST', when: 'after', action: { kind: 'drop' } });
    const first = await order(uniqueName('fault-finalize'));
    expect(upstream('POST finalize')).toBe(1);
    expect(first.body.order.status).not.toBe('valid');
    expect(first.body.steps.some((s) => !s.ok)).toBe(true);
    expect(first.body.next_step).toBe('sync-order');
    const synced = await finish(first.body.order.id);
    expect(upstream('POST finalize')).toBe(1);
    expect(synced.body.order.status).toBe('valid');
    expect(synced.body.order.certificate_id).toBeTruthy();
  });

  it('challenge answer 500 before the CA saw it: the step fails and is recorded, the next process triggers it once', async () => {
    withFault({ step: 'challenge', method: 'POST', when: 'before', action: { kind: 'status', status: 500 } });
    const first = await order(uniqueName('fault-challenge'));
    expect(first.body.order.status).not.toBe('valid');
    const failedStep = first.body.steps.find((s) => !s.ok);
    expect(JSON.stringify(failedStep)).toMatch(/injected by the fault proxy|500|serverInternal/);
    const again = await finish(first.body.order.id);
    expect(again.body.order.status).toBe('valid');
    expect(upstream('POST challenge')).toBe(1);
  });

  it('challenge answer applied by the CA but answered 500: the authorization is read back, the challenge is not sent again, the order ends valid', async () => {
    withFault({ step: 'challenge', method: 'POST', when: 'after', action: { kind: 'status', status: 500 } });
    const first = await order(uniqueName('fault-challenge-applied'));
    expect(proxy.fired).toEqual(['after POST challenge: status']);
    const stepNames = first.body.steps.map((s) => `${s.step}:${s.ok}`);
    expect(stepNames).toContain('trigger-challenges:false');
    expect(stepNames).toContain('sync-authorization:true');
    const done = await finish(first.body.order.id);
    expect(done.body.order.status).toBe('valid');
    expect(done.body.order.certificate_id).toBeTruthy();
    expect(upstream('POST challenge')).toBe(1);
  });

  it('finalize applied by the CA but answered 500: the order is read before finalize is sent again, and ends valid', async () => {
    withFault({ step: 'finalize', method: 'POST', when: 'after', action: { kind: 'status', status: 500 } });
    const first = await order(uniqueName('fault-finalize-500'));
    expect(first.body.next_step).toBe('sync-order');
    const done = await finish(first.body.order.id);
    expect(done.body.order.status).toBe('valid');
    expect(done.body.order.certificate_id).toBeTruthy();
    expect(upstream('POST finalize')).toBe(1);
  });

  it('finalize answered orderNotReady (the CA had it already, e.g. sent before a crash): the same step reads the order back and the order ends valid', async () => {
    withFault({ step: 'finalize', method: 'POST', when: 'after', action: { kind: 'status', status: 403, problem: 'orderNotReady' } });
    const first = await order(uniqueName('fault-finalize-notready'));
    const stepNames = first.body.steps.map((s) => `${s.step}:${s.ok}`);
    expect(stepNames.slice(-2)).toEqual(['finalize:false', 'sync-order:true']);
    expect(first.body.next_step).toBe('download');
    const done = await finish(first.body.order.id);
    expect(done.body.order.status).toBe('valid');
    expect(done.body.order.certificate_id).toBeTruthy();
    expect(upstream('POST finalize')).toBe(1);
  });

  it('order polling rate-limited (429, Retry-After 1) and authorization answers slow (1.5 s): the order still completes', async () => {
    withFault({ step: 'order', method: 'POST', when: 'after', action: { kind: 'status', status: 429, retryAfter: 1, problem: 'rateLimited' } });
    withFault({ step: 'authorization', method: 'POST', when: 'after', action: { kind: 'delay', ms: 1_500 }, times: 2 });
    const answer = await order(uniqueName('fault-poll'));
    // A 429 is never retried at once: the order records the CA's Retry-After and waits for it.
    expect(answer.status).toBe(429);
    expect(answer.body.order.status).toBe('pending');
    await new Promise((r) => setTimeout(r, 1_200));
    const final = await finish(answer.body.order.id);
    expect(final.body.order.status).toBe('valid');
    expect(proxy.fired).toContain('after POST order: status');
    expect(upstream('POST newOrder')).toBe(1);
  });

  it('certificate download truncated: the download is asked again (a safe read) and the order ends valid', async () => {
    withFault({ step: 'certificate', method: 'POST', when: 'after', action: { kind: 'truncate' } });
    const answer = await order(uniqueName('fault-download'));
    expect(proxy.fired).toEqual(['after POST certificate: truncate']);
    const final = answer.body.next_step === 'done' ? answer : await finish(answer.body.order.id);
    expect(final.body.order.status).toBe('valid');
    expect(final.body.order.certificate_id).toBeTruthy();
    expect(upstream('POST finalize')).toBe(1);
  });
});
