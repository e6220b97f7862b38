/**
 * Test support only. The Pebble package here predates ARI (RFC 9773) and ACME profiles, so this
 * HTTPS reverse proxy sits in front of the run's Pebble and adds them:
 * - GET /dir: Pebble's directory plus `renewalInfo` and `meta.profiles`;
 * - GET /renewal-info/<id>: a suggested window and Retry-After, as the test configures;
 * - everything else goes to Pebble unchanged, Host included: Pebble builds its URLs and checks
 *   each JWS `url` against the Host it was asked on, so the whole protocol runs through here.
 * It also records what newOrder payloads carried (`replaces`, `profile`) and can refuse
 * `replaces`, as a CA that rejects it would (RFC 9773 §5).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { createCa, issueLeaf } from './pki.js';
import type { PebbleCoordinates } from './pebble.js';

export type RenewalInfoAnswer = {
  status: number;
  body?: unknown;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
};

export type AriResponder = {
  directoryUrl: string;
  /** The responder's CA and Pebble's: what clients behind it must trust. */
  caPem: string;
  /** Answer for an identifier; `*` for any other. Default: a window 1–2 days ahead, Retry-After 6 h. */
  answers: Map<string, RenewalInfoAnswer>;
  profiles: Record<string, string>;
  /** Refuse newOrder payloads carrying `replaces` (409 alreadyReplaced). */
  rejectReplaces: boolean;
  renewalInfoRequests: string[];
  newOrderPayloads: Record<string, unknown>[];
  close(): Promise<void>;
};

const DEFAULT_PROFILES = { classic: 'The same profile as always', shortlived: 'Valid for 160 hours' };

const readBody = (req: IncomingMessage) => new Promise<Buffer>((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => resolve(Buffer.concat(chunks)));
  req.on('error', reject);
});

const defaultAnswer = (): RenewalInfoAnswer => {
  const day = 86_400_000;
  return { status: 200, retryAfter: 21_600, body: { suggestedWindow: { start: new Date(Date.now() + day).toISOString(), end: new Date(Date.now() + 2 * day).toISOString() } } };
};

export async function startAriResponder(pebble: PebbleCoordinates, options: { profiles?: Record<string, string> } = {}): Promise<AriResponder> {
  const ca = await createCa({ name: 'ari responder test CA', keyAlgorithm: 'EC' });
  const leaf = await issueLeaf(ca, { names: ['localhost', '127.0.0.1'], keyAlgorithm: 'EC' });
  const upstream = new URL(pebble.directoryUrl);
  const dispatcher = new Agent({ connect: { ca: pebble.caPem } });
  let origin = '';
  let newNoncePath = '/nonce-plz';
  let newOrderPath = '/order-plz';

  const forward = async (method: string, path: string, headers: IncomingMessage['headers'], body?: Buffer) => {
    const sent: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && !['connection', 'content-length', 'transfer-encoding'].includes(name)) sent[name] = value;
    const answer = await request(new URL(path, upstream), { method: method as 'GET', headers: sent, body: body && body.length > 0 ? body : undefined, dispatcher });
    return { status: answer.statusCode, headers: answer.headers, body: Buffer.from(await answer.body.arrayBuffer()) };
  };

  const reply = (res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer | string) => {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && !['connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) res.setHeader(name, value);
    }
    res.writeHead(status).end(body);
  };

  const responder: AriResponder = {
    directoryUrl: '',
    caPem: `${ca.certPem}\n${pebble.caPem}`,
    answers: new Map(),
    profiles: options.profiles ?? DEFAULT_PROFILES,
    rejectReplaces: false,
    renewalInfoRequests: [],
    newOrderPayloads: [],
    close: async () => undefined,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === upstream.pathname) {
      const answer = await forward('GET', path, { ...req.headers, host: new URL(origin).host });
      const directory = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown> & { meta?: Record<string, unknown> };
      newNoncePath = new URL(String(directory.newNonce)).pathname;
      newOrderPath = new URL(String(directory.newOrder)).pathname;
      directory.renewalInfo = `${origin}/renewal-info`;
      directory.meta = { ...directory.meta, profiles: responder.profiles };
      reply(res, 200, { 'content-type': 'application/json' }, JSON.stringify(directory));
      return;
    }
    if (req.method === 'GET' && path.startsWith('/renewal-info/')) {
      const identifier = decodeURIComponent(path.slice('/renewal-info/'.length));
      responder.renewalInfoRequests.push(identifier);
      const answer = responder.answers.get(identifier) ?? responder.answers.get('*') ?? defaultAnswer();
      const headers: Record<string, string> = { 'content-type': answer.status < 400 ? 'application/json' : 'application/problem+json' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
      const body = answer.body ?? (answer.status < 400 ? {} : { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'ARI is unavailable' });
      reply(res, answer.status, headers, JSON.stringify(body));
      return;
    }
    const body = await readBody(req);
    if (req.method === 'POST' && path === newOrderPath) {
      const jws = JSON.parse(body.toString('utf8')) as { payload: string };
      const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      responder.newOrderPayloads.push(payload);
      if (responder.rejectReplaces && payload.replaces !== undefined) {
        // A fresh nonce, as every ACME error response carries one (RFC 8555 §6.5).
        const nonce = await forward('HEAD', newNoncePath, { host: new URL(origin).host });
        reply(res, 409, { 'content-type': 'application/problem+json', 'replay-nonce': nonce.headers['replay-nonce'] as string }, JSON.stringify({
          type: 'urn:ietf:params:acme:error:alreadyReplaced', detail: 'the certificate named in replaces was already replaced', status: 409,
        }));
        return;
      }
    }
    const answer = await forward(req.method ?? 'GET', path, req.headers, body);
    reply(res, answer.status, answer.headers as Record<string, string | string[] | undefined>, answer.body);
  };

  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`ari responder: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  responder.directoryUrl = `${origin}${upstream.pathname}`;
  responder.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
  };
  return responder;
}
