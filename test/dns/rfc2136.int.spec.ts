/** RFC 2136 + TSIG against a real BIND 9 (test/support/dns-bind.ts), checked with DNS queries to it. */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsProvider, DnsProviderError, DnsUpdateRefusedError, type DnsProvider } from '../../src/infra/dns/index.js';
import { startBind, type BindInstance, type BindKey } from '../support/dns-bind.js';
import { resolveTxtAt } from '../support/dns-lookup.js';

let bind: BindInstance;
beforeAll(async () => {
  bind = await startBind();
  console.info(`named answered ${bind.startMs} ms after spawn`);
});
afterAll(() => bind?.stop());

const provider = (tsig: BindKey, extra: Record<string, unknown> = {}): DnsProvider =>
  createDnsProvider({ kind: 'rfc2136', server: `127.0.0.1:${bind.port}`, zone: bind.zone, tsig, ...extra });
const freshName = () => `_acme-challenge.${randomUUID().slice(0, 8)}.${bind.zone}`;
const V1 = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const V2 = 'JfMbCz4_8-Hm3C8SnfTEwCNN84t9Cr8PJpp8wSW1gBE';

async function refusal(promise: Promise<unknown>): Promise<DnsUpdateRefusedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DnsUpdateRefusedError);
  return error as DnsUpdateRefusedError;
}

describe('updates', () => {
  it('adds a TXT value the server then answers, and removes it', async () => {
    const name = freshName();
    const dns = provider(bind.updateKey);
    const { cleanupToken } = await dns.setTxt(name, V1);
    expect(await resolveTxtAt(bind, name)).toEqual([V1]);
    expect(cleanupToken).toBe(`rfc2136 zone ${bind.zone} at 127.0.0.1:${bind.port}`);
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(bind, name)).toEqual([]);
  });

  it('keeps a wildcard and its apex side by side, and removes only the value it is given', async () => {
    const name = freshName();
    const dns = provider(bind.updateKey);
    await dns.setTxt(`${name}.`, V1); // root dot and case do not matter
    await dns.setTxt(name.toUpperCase(), V2);
    await provider(bind.updateKey512).setTxt(name, 'set-by-someone-else');
    expect(await resolveTxtAt(bind, name)).toEqual([V2, V1, 'set-by-someone-else'].sort());
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(bind, name)).toEqual([V2, 'set-by-someone-else'].sort());
  });

  it('is idempotent: setting twice leaves one record, removing what is gone succeeds', async () => {
    const name = freshName();
    const dns = provider(bind.updateKey);
    await dns.setTxt(name, V1);
    await dns.setTxt(name, V1);
    expect(await resolveTxtAt(bind, name)).toEqual([V1]);
    await dns.removeTxt(name, V1);
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(bind, name)).toEqual([]);
  });

  it('signs with hmac-sha512 too, and uses the configured TTL', async () => {
    const name = freshName();
    await provider(bind.updateKey512, { ttl: 30 }).setTxt(name, V2);
    expect(await resolveTxtAt(bind, name)).toEqual([V2]);
  });
});

describe('refusals name the server rcode, and carry no secret', () => {
  it('a wrong TSIG secret: NOTAUTH / BADSIG, and nothing changes', async () => {
    const name = freshName();
    const wrong = { ...bind.updateKey, secret: Buffer.alloc(32, 9).toString('base64') };
    const error = await refusal(provider(wrong).setTxt(name, V1));
    expect(error).toMatchObject({ rcode: 'NOTAUTH', tsigError: 'BADSIG', code: 'dns_refused', provider: 'rfc2136' });
    expect(error.message).toContain('NOTAUTH');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(wrong.secret);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(bind.updateKey.secret);
    expect(await resolveTxtAt(bind, name)).toEqual([]);
  });

  it('a key the server does not know: NOTAUTH / BADKEY', async () => {
    const error = await refusal(provider({ ...bind.updateKey, name: 'unknown-key' }).setTxt(freshName(), V1));
    expect(error).toMatchObject({ rcode: 'NOTAUTH', tsigError: 'BADKEY' });
  });

  it('a known key without a grant: REFUSED', async () => {
    const error = await refusal(provider(bind.readOnlyKey).setTxt(freshName(), V1));
    expect(error).toMatchObject({ rcode: 'REFUSED', tsigError: undefined });
  });

  it('a zone the server is not primary for: NOTAUTH', async () => {
    const dns = createDnsProvider({ kind: 'rfc2136', server: `127.0.0.1:${bind.port}`, zone: 'other.test', tsig: bind.updateKey });
    const error = await refusal(dns.setTxt('_acme-challenge.x.other.test', V1));
    expect(error).toMatchObject({ rcode: 'NOTAUTH', tsigError: undefined });
  });

  it('a name outside the configured zone is refused before anything is sent', async () => {
    await expect(provider(bind.updateKey).setTxt('_acme-challenge.example.org', V1)).rejects.toMatchObject({ failure: 'unknown_name' });
  });
});

describe('an unreachable or silent server: a clear error in bounded time', () => {
  const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

  it('nothing listening: unreachable, at once', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    const dns = createDnsProvider({ kind: 'rfc2136', server: `127.0.0.1:${port}`, zone: bind.zone, tsig: bind.updateKey });
    const started = Date.now();
    const error = await dns.setTxt(freshName(), V1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsProviderError);
    expect(error).toMatchObject({ failure: 'unreachable', code: 'dns_unreachable' });
    expect((error as Error).message).toMatch(new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a server that accepts and never answers: timeout after timeoutMs', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => { sockets.push(socket); });
    const port = await listen(server);
    try {
      const dns = createDnsProvider({ kind: 'rfc2136', server: `127.0.0.1:${port}`, zone: bind.zone, tsig: bind.updateKey, timeoutMs: 300 });
      const started = Date.now();
      await expect(dns.setTxt(freshName(), V1)).rejects.toMatchObject({ failure: 'timeout', message: expect.stringContaining('within 300 ms') });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await close(server);
    }
  });

  it('a NOERROR answer without a TSIG signature is not believed', async () => {
    // Echo the request back as a bare NOERROR response: header with QR set, zone section, no TSIG.
    const server = createServer((socket) => socket.once('data', (data: Buffer) => {
      const request = data.subarray(2);
      const zoneEnd = 12 + request.subarray(12).indexOf(0) + 5;
      const answer = Buffer.from(request.subarray(0, zoneEnd));
      answer.writeUInt16BE(0xa800, 2);
      answer.fill(0, 6, 12);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(answer.length);
      socket.end(Buffer.concat([length, answer]));
    }));
    const port = await listen(server);
    try {
      const dns = createDnsProvider({ kind: 'rfc2136', server: `127.0.0.1:${port}`, zone: bind.zone, tsig: bind.updateKey });
      await expect(dns.setTxt(freshName(), V1)).rejects.toMatchObject({ failure: 'bad_response', message: expect.stringContaining('not signed') });
    } finally {
      await close(server);
    }
  });
});
