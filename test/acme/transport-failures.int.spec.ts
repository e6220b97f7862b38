/**
 * Failure modes Pebble cannot produce on demand — 5xx, 429, HTML from a proxy, a hung server,
 * a refused connection — from a tiny loopback server that speaks just enough ACME framing.
 * Everything Pebble can do is tested against Pebble (transport.e2e.spec.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateAccountKey } from '../../src/infra/acme/account-key.js';
import { AcmeTransportError } from '../../src/infra/acme/errors.js';
import type { AcmeExchangeRecord } from '../../src/infra/acme/exchange.js';
import { createAcmeTransport, type AcmeTransport, type AcmeTransportOptions } from '../../src/infra/acme/http.js';
import { AcmeProblem, AcmeRateLimitedError } from '../../src/infra/acme/problem.js';
import { createAcmeSigner, type AcmeSigner } from '../../src/infra/acme/signer.js';

/** The rejection of a promise that must fail, typed for the assertions that follow. */
const rejectionOf = <T>(promise: Promise<unknown>): Promise<T> => promise.then(
  () => { throw new Error('expected a failure'); },
  (error: unknown) => error as T,
);

type Route = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

let server: Server;
let base: string;
let signer: AcmeSigner;
const routes = new Map<string, Route>();
const hits = new Map<string, number>();
let nonce = 0;
const transports: AcmeTransport[] = [];

const problem = (res: ServerResponse, status: number, type: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail: `${type} here`, status }));
};

beforeAll(async () => {
  signer = (await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }))).withKid('http://acct/1');
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    res.setHeader('replay-nonce', `nonce${++nonce}`);
    req.resume();
    req.on('end', () => {
      if (path === '/dir') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/acct`, newOrder: `${base}/order` }));
      } else if (path === '/nonce') {
        res.writeHead(200).end();
      } else {
        const route = routes.get(path);
        if (route) route(req, res, hit);
        else problem(res, 404, 'malformed');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  routes.clear();
  hits.clear();
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function open(overrides: Partial<AcmeTransportOptions> = {}) {
  const records: AcmeExchangeRecord[] = [];
  const transport = createAcmeTransport({
    directoryUrl: `${base}/dir`, userAgent: 'certledger-tests', baseDelayMs: 5, maxDelayMs: 2_000, onExchange: (r) => { records.push(r); }, ...overrides,
  });
  transports.push(transport);
  return { transport, records, of: (path: string) => records.filter((r) => r.url === `${base}${path}`) };
}

const flaky = (failures: number, headers: Record<string, string> = {}): Route => (_req, res, hit) => {
  if (hit <= failures) return problem(res, 503, 'serverInternal', headers);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"valid"}');
};

describe('transport retries', () => {
  it('retries a POST-as-GET through 5xx with backoff, honouring Retry-After', async () => {
    routes.set('/flaky', flaky(2, { 'retry-after': '0' }));
    const { transport, of } = open();
    const response = await transport.post(`${base}/flaky`, '', signer, { kind: 'getOrder' });
    expect(response.body).toEqual({ status: 'valid' });
    expect(of('/flaky').map((r) => [r.attempt, r.status, r.retrying])).toEqual([[1, 503, true], [2, 503, true], [3, 200, false]]);
    expect(of('/flaky')[0]).toMatchObject({ problem: { type: 'urn:ietf:params:acme:error:serverInternal', status: 503 }, retryAfter: { seconds: 0 } });
  });

  it('never replays a newOrder after a 5xx: the first may have created it', async () => {
    routes.set('/order', flaky(1));
    const { transport, of } = open();
    const error = await rejectionOf<AcmeProblem>(transport.post(`${base}/order`, { identifiers: [] }, signer, { kind: 'newOrder' }));
    expect(error).toBeInstanceOf(AcmeProblem);
    expect(error.status).toBe(503);
    expect(hits.get('/order')).toBe(1);
    expect(of('/order')).toMatchObject([{ attempt: 1, retrying: false, status: 503 }]);
  });

  it('gives up when Retry-After asks for longer than maxDelayMs, and carries it', async () => {
    routes.set('/flaky', flaky(5, { 'retry-after': '3600' }));
    const { transport } = open();
    const error = await rejectionOf<AcmeProblem>(transport.post(`${base}/flaky`, '', signer, { kind: 'getOrder' }));
    expect(error.retryAfter?.seconds).toBe(3600);
    expect(hits.get('/flaky')).toBe(1);
  });

  it('stops after maxTransientRetries', async () => {
    routes.set('/flaky', flaky(100));
    const { transport } = open({ maxTransientRetries: 2 });
    await expect(transport.post(`${base}/flaky`, '', signer, { kind: 'getOrder' })).rejects.toBeInstanceOf(AcmeProblem);
    expect(hits.get('/flaky')).toBe(3);
  });

  it('surfaces 429 as AcmeRateLimitedError with Retry-After, without retrying', async () => {
    const until = new Date(Date.now() + 7_200_000);
    until.setUTCMilliseconds(0);
    routes.set('/order', (_req, res) => problem(res, 429, 'rateLimited', { 'retry-after': until.toUTCString() }));
    const { transport, of } = open();
    const error = await rejectionOf<AcmeRateLimitedError>(transport.post(`${base}/order`, '', signer, { kind: 'getOrder' }));
    expect(error).toBeInstanceOf(AcmeRateLimitedError);
    expect(error.retryAfter?.notBefore).toBe(until.toISOString());
    expect(hits.get('/order')).toBe(1);
    expect(of('/order')[0]?.retryAfter?.notBefore).toBe(until.toISOString());
  });

  it('makes an HTML 502 a problem and keeps only the start of the page', async () => {
    routes.set('/order', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html>${'bad gateway '.repeat(500)}</html>`);
    });
    const { transport, of } = open();
    const error = await rejectionOf<AcmeProblem>(transport.post(`${base}/order`, {}, signer, { kind: 'finalize' }));
    expect(error.toJSON()).toEqual({ type: 'about:blank', status: 502 });
    expect(of('/order')[0]?.responseBody).toMatchObject({ truncated: true, bytes: 6013 });
  });

  it('times out; a hung POST-as-GET is retried, a hung finalize is not', async () => {
    routes.set('/hang', () => { /* never answers */ });
    const { transport, of } = open({ timeoutMs: 200, maxTransientRetries: 1 });
    const error = await rejectionOf<AcmeTransportError>(transport.post(`${base}/hang`, {}, signer, { kind: 'finalize' }));
    expect(error).toBeInstanceOf(AcmeTransportError);
    expect(error.kind).toBe('timeout');
    expect(of('/hang')).toMatchObject([{ status: null, retrying: false, error: { kind: 'timeout' } }]);
    await expect(transport.post(`${base}/hang`, '', signer, { kind: 'getOrder' })).rejects.toMatchObject({ kind: 'timeout' });
    expect(of('/hang').map((r) => r.retrying)).toEqual([false, true, false]);
  });

  it('retries a refused connection for any request: nothing reached the server', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { transport, records } = open({ directoryUrl: `http://127.0.0.1:${port}/dir`, maxTransientRetries: 2 });
    const error = await rejectionOf<AcmeTransportError>(transport.directory());
    expect(error).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED' });
    expect(records.map((r) => [r.requestKind, r.status, r.retrying, r.error?.kind])).toEqual([
      ['directory', null, true, 'connect'], ['directory', null, true, 'connect'], ['directory', null, false, 'connect'],
    ]);
  });
});
