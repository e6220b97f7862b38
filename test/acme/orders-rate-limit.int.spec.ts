/**
 * 429 / rateLimited (RFC 8555 §6.6). Pebble has no rate limits, so this one file talks to a small
 * ACME stand-in that registers accounts and answers every newOrder with 429 + Retry-After; all
 * else (transport, JWS, events, projection, routes) is the real code.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { processOrder } from '../../src/commands/acme-order/process-order.js';
import { RateLimitedError } from '../../src/commands/acme-order/rate-limit.js';
import { registerAcmeServer } from '../../src/commands/acme-server/register-acme-server.js';
import { AcmeRateLimitedError } from '../../src/infra/acme/index.js';
import { createTestAcmeAccount, json, startTestStack, type TestStack } from '../support/app.js';

let stack: TestStack;
let server: Server;
let accountId: string;
const newOrders: string[] = [];

function stub(req: IncomingMessage, res: ServerResponse, base: string) {
  res.setHeader('Replay-Nonce', randomBytes(16).toString('base64url'));
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers }).end(JSON.stringify(body));
  };
  let text = '';
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', () => {
    if (req.url === '/dir') return send(200, { newNonce: `${base}/nonce`, newAccount: `${base}/new-acct`, newOrder: `${base}/new-order`, revokeCert: `${base}/revoke`, keyChange: `${base}/key-change` });
    if (req.url === '/nonce') return res.writeHead(200).end();
    if (req.url === '/new-acct') return send(201, { status: 'valid', contact: [] }, { location: `${base}/acct/1` });
    if (req.url === '/new-order') {
      newOrders.push(text);
      return send(429, { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many new orders recently', status: 429 }, { 'retry-after': '120' });
    }
    return send(404, { type: 'about:blank', status: 404 });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => stub(req, res, `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stack = await startTestStack('pglite');
  const { acmeServerId } = await registerAcmeServer(stack.deps, { directoryUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dir`, name: 'rate-limited', isDefault: true });
  accountId = await createTestAcmeAccount(stack, { acmeServerId });
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const names = (label: string) => [{ type: 'dns' as const, value: `${label}.rate.example.test`, challengeType: 'http-01' as const }];

describe('429 from the CA', () => {
  it('records the limit and refuses new orders for that account, server and name set until Retry-After', async () => {
    const first = await createAcmeOrder(stack.deps, { accountId, identifiers: names('a'), processing: 'all' });
    expect(first.report.steps).toHaveLength(1);
    expect(first.report.steps[0]).toMatchObject({ step: 'submit', ok: false });
    expect(first.report.steps[0]!.error).toBeInstanceOf(AcmeRateLimitedError);
    const events = await stack.deps.store.readStream(`acmeOrder-${first.orderId}`);
    const limited = events.find((e) => e.type === 'AcmeOrderRateLimited')!.data as { retryAfter: { seconds: number; notBefore: string }; step: string };
    expect(limited.step).toBe('submit');
    expect(limited.retryAfter.seconds).toBe(120);
    const exchange = events.find((e) => e.type === 'AcmeExchangeRecorded' && (e.data as { requestKind: string }).requestKind === 'newOrder')!.data;
    expect(exchange).toMatchObject({ status: 429, retryAfter: { seconds: 120 }, problem: { type: 'urn:ietf:params:acme:error:rateLimited' } });
    await stack.deps.projections.waitFor(events.at(-1)!.position);

    const sent = newOrders.length;
    const refused = await createAcmeOrder(stack.deps, { accountId, identifiers: names('a'), processing: 'all' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).notBefore).toBe(limited.retryAfter.notBefore);
    expect(newOrders).toHaveLength(sent); // refused before any request
    await expect(processOrder(stack.deps, first.orderId)).rejects.toBeInstanceOf(RateLimitedError);

    // Another name set is not held back (the CA may still say no: it does here).
    const other = await createAcmeOrder(stack.deps, { accountId, identifiers: names('b'), processing: 'none' });
    expect(newOrders).toHaveLength(sent + 1);
    expect(other.report.steps[0]!.ok).toBe(false);
  });

  it('answers 429 with Retry-After over HTTP, for the refusal and for the CA\'s own 429', async () => {
    const post = (value: string) => fetch(`${stack.admin.url}/api/v1/acme-orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: accountId, domain_names_http01: [`${value}.rate.example.test`], process: 'all' }),
    });
    const fromCa = await post('c');
    const body = await json(fromCa);
    expect(fromCa.status).toBe(429);
    expect(fromCa.headers.get('retry-after')).toBe('120');
    expect(body).toMatchObject({ result: 'error', order: { status: 'created', rate_limited_until: expect.any(String) }, steps: [{ step: 'submit', ok: false, error: { code: 'acme_rate_limited' } }] });

    const refused = await post('c');
    const refusal = await json(refused);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(100);
    expect(refusal).toMatchObject({ result: 'error', code: 'rate_limited', retry_after: body.order.rate_limited_until });
    expect(refusal.message).toContain(body.order.rate_limited_until);

    const limits = await json(await fetch(`${stack.admin.url}/api/v1/acme-rate-limits?active=true`));
    expect(limits.items.map((l: { acme_order_id: string }) => l.acme_order_id)).toContain(body.order.id);
  });
});
