/**
 * Test support only: an HTTPS reverse proxy in front of the run's Pebble that injects faults at
 * chosen ACME steps — an error status with or without Retry-After, a truncated body, a slow
 * answer, a dropped connection — either before the request reaches Pebble (nothing applied) or
 * after Pebble answered (applied, answer lost). Host goes through unchanged, so Pebble's URLs and
 * JWS `url` checks name the proxy and the whole protocol runs through it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { PebbleCoordinates } from './pebble.js';
import { createCa, issueLeaf } from './pki.js';

/** Pebble 2.4's resource paths (its directory names the first five). */
export type AcmeStep = 'directory' | 'newNonce' | 'newAccount' | 'newOrder' | 'account' | 'authorization' | 'challenge' | 'finalize' | 'order' | 'certificate' | 'other';

const STEP_OF: [RegExp, AcmeStep][] = [
  [/^\/dir$/, 'directory'], [/^\/nonce-plz/, 'newNonce'], [/^\/sign-me-up/, 'newAccount'], [/^\/order-plz/, 'newOrder'],
  [/^\/my-account\//, 'account'], [/^\/authZ\//, 'authorization'], [/^\/chalZ\//, 'challenge'], [/^\/finalize-order\//, 'finalize'],
  [/^\/my-order\//, 'order'], [/^\/certZ\//, 'certificate'],
];
export const stepOf = (path: string): AcmeStep => STEP_OF.find(([re]) => re.test(path))?.[1] ?? 'other';

export type FaultAction =
  | { kind: 'status'; status: number; retryAfter?: number; problem?: string }
  | { kind: 'drop' }
  | { kind: 'truncate' }
  | { kind: 'delay'; ms: number };

export type Fault = {
  step: AcmeStep;
  method?: 'GET' | 'HEAD' | 'POST';
  /** before: Pebble never sees the request; after: Pebble applied it and its answer is replaced. */
  when: 'before' | 'after';
  action: FaultAction;
  /** How many matching requests it hits (default 1). */
  times?: number;
};

export type FaultProxy = {
  directoryUrl: string;
  caPem: string;
  faults: Fault[];
  /** Requests Pebble received, by step and method (`POST newOrder`); those it refused for their nonce apart (`POST newOrder (badNonce)`). */
  upstream: Map<string, number>;
  /** Faults that fired, in order. */
  fired: string[];
  close(): Promise<void>;
};

const readBody = (req: IncomingMessage) => new Promise<Buffer>((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => resolve(Buffer.concat(chunks)));
  req.on('error', reject);
});

const HOP = ['connection', 'content-length', 'transfer-encoding', 'keep-alive'];

export async function startFaultProxy(pebble: PebbleCoordinates): Promise<FaultProxy> {
  const ca = await createCa({ name: 'fault proxy test CA', keyAlgorithm: 'EC' });
  const leaf = await issueLeaf(ca, { names: ['localhost', '127.0.0.1'], keyAlgorithm: 'EC' });
  const upstreamBase = new URL(pebble.directoryUrl);
  const dispatcher = new Agent({ connect: { ca: pebble.caPem } });
  const proxy: FaultProxy = { directoryUrl: '', caPem: `${ca.certPem}\n${pebble.caPem}`, faults: [], upstream: new Map(), fired: [], close: async () => undefined };

  const take = (step: AcmeStep, method: string, when: Fault['when']): FaultAction | undefined => {
    const fault = proxy.faults.find((f) => f.step === step && f.when === when && (f.method === undefined || f.method === method) && (f.times ?? 1) > 0);
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    proxy.fired.push(`${when} ${method} ${step}: ${fault.action.kind}`);
    return fault.action;
  };

  const act = async (res: ServerResponse, action: FaultAction, nonce: string | undefined): Promise<boolean> => {
    switch (action.kind) {
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
        if (action.retryAfter !== undefined) headers['retry-after'] = String(action.retryAfter);
        if (nonce) headers['replay-nonce'] = nonce;
        res.writeHead(action.status, headers).end(JSON.stringify({ type: `urn:ietf:params:acme:error:${action.problem ?? 'serverInternal'}`, detail: 'injected by the fault proxy', status: action.status }));
        return true;
      }
      case 'drop':
        res.socket?.destroy();
        return true;
      case 'delay':
        await new Promise((r) => setTimeout(r, action.ms));
        return false;
      case 'truncate':
        return false;
      default: {
        const never: never = action;
        return never;
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const step = stepOf(path);
    const body = await readBody(req);
    const before = take(step, method, 'before');
    if (before && await act(res, before, undefined)) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && !HOP.includes(name)) headers[name] = value;
    const answer = await request(new URL(path, upstreamBase), { method: method as 'GET', headers, body: body.length > 0 ? body : undefined, dispatcher });
    const answerBody = Buffer.from(await answer.body.arrayBuffer());
    // Pebble refuses some nonces on purpose (PEBBLE_WFE_NONCEREJECT); such a POST did nothing and is sent again.
    const refusedNonce = answer.statusCode === 400 && answerBody.includes('urn:ietf:params:acme:error:badNonce');
    const key = `${method} ${step}${refusedNonce ? ' (badNonce)' : ''}`;
    proxy.upstream.set(key, (proxy.upstream.get(key) ?? 0) + 1);
    // An 'after' fault stands for an applied request whose answer was lost: never one Pebble refused for its nonce.
    const after = refusedNonce ? undefined : take(step, method, 'after');
    const nonce = typeof answer.headers['replay-nonce'] === 'string' ? answer.headers['replay-nonce'] : undefined;
    if (after && await act(res, after, nonce)) return;
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP.includes(name)) res.setHeader(name, value);
    if (after?.kind === 'truncate' || before?.kind === 'truncate') {
      // Promise the whole body, send half, and hang up: the client sees a short read.
      res.setHeader('content-length', String(answerBody.length));
      res.writeHead(answer.statusCode);
      res.write(answerBody.subarray(0, Math.floor(answerBody.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.writeHead(answer.statusCode).end(answerBody);
  };

  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.directoryUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}${upstreamBase.pathname}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
  };
  return proxy;
}
