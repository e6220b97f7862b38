/**
 * A stand-in for joohoi/acme-dns's HTTP API — the ONE stand-in of the DNS tests: acme-dns is
 * not packaged for Debian or npm, so no real one can run here (BIND and challtestsrv do run).
 * It follows acme-dns's documented behaviour (README "API", pkg/api/register.go, update.go,
 * auth.go, util.go and its database's Update):
 * - POST /register, optional body {"allowfrom": [CIDR…]} → 201 {username, password,
 *   fulldomain, subdomain, allowfrom}; a body that is not JSON → 400 {"error":"malformed_json_payload"};
 * - POST /update with X-Api-User (a UUID) and X-Api-Key (40 characters) and {subdomain, txt}:
 *   unknown user, wrong key, subdomain not the user's, or source address outside allowfrom →
 *   401 {"error":"forbidden"}; a txt that is not 43 base64url characters → 400 {"error":"bad_txt"};
 *   else the OLDER of the subdomain's two TXT slots takes the value → 200 {"txt": value}.
 * What acme-dns's own DNS server would answer for `<subdomain>.<domain>` is `txtValues()`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { BlockList, isIPv4, type AddressInfo } from 'node:net';

type Account = { password: string; subdomain: string; allowFrom: string[]; slots: { value: string; at: number }[] };

export type AcmeDnsStandIn = {
  apiUrl: string;
  /** The domain acme-dns serves; fulldomain = `<subdomain>.<domain>`. */
  domain: string;
  /** The non-empty TXT slots of `subdomain`, oldest first. */
  txtValues(subdomain: string): string[];
  /** Requests seen, without bodies: method, path and whether X-Api-Key was sent. */
  requests: { method: string; path: string; hadApiKey: boolean }[];
  close(): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function allowed(account: Account, address: string): boolean {
  if (account.allowFrom.length === 0) return true;
  const list = new BlockList();
  for (const cidr of account.allowFrom) {
    const [network, prefix] = cidr.split('/');
    list.addSubnet(network!, Number(prefix), isIPv4(network!) ? 'ipv4' : 'ipv6');
  }
  return list.check(address.replace(/^::ffff:/, ''), isIPv4(address.replace(/^::ffff:/, '')) ? 'ipv4' : 'ipv6');
}

export async function startAcmeDnsStandIn(domain = 'auth.acme-dns.test'): Promise<AcmeDnsStandIn> {
  const accounts = new Map<string, Account>();
  const requests: AcmeDnsStandIn['requests'] = [];
  let clock = 0;

  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = request.url ?? '';
    requests.push({ method: request.method ?? '', path, hadApiKey: request.headers['x-api-key'] !== undefined });
    const text = await readBody(request);
    if (request.method === 'POST' && path === '/register') {
      let allowFrom: string[] = [];
      if (text.length > 0) {
        try {
          allowFrom = (JSON.parse(text) as { allowfrom?: string[] }).allowfrom ?? [];
        } catch {
          return reply(400, { error: 'malformed_json_payload' });
        }
      }
      const username = randomUUID();
      const account: Account = {
        password: randomBytes(30).toString('base64url'), subdomain: randomUUID(), allowFrom,
        slots: [{ value: '', at: 0 }, { value: '', at: 0 }],
      };
      accounts.set(username, account);
      return reply(201, { username, password: account.password, fulldomain: `${account.subdomain}.${domain}`, subdomain: account.subdomain, allowfrom: allowFrom });
    }
    if (request.method === 'POST' && path === '/update') {
      const user = String(request.headers['x-api-user'] ?? '');
      const key = String(request.headers['x-api-key'] ?? '');
      const account = UUID.test(user) ? accounts.get(user.toLowerCase()) : undefined;
      let body: { subdomain?: unknown; txt?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // acme-dns logs a decoding error and goes on with an empty body: the subdomain check fails
      }
      const authorised = account !== undefined && key.length === 40 && key === account.password
        && allowed(account, request.socket.remoteAddress ?? '') && body.subdomain === account.subdomain;
      if (!authorised) return reply(401, { error: 'forbidden' });
      if (typeof body.txt !== 'string' || body.txt.length !== 43 || !BASE64URL.test(body.txt)) return reply(400, { error: 'bad_txt' });
      const oldest = account.slots.reduce((a, b) => (b.at < a.at ? b : a));
      oldest.value = body.txt;
      oldest.at = ++clock;
      return reply(200, { txt: body.txt });
    }
    return reply(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    domain,
    requests,
    txtValues: (subdomain) => {
      const account = [...accounts.values()].find((a) => a.subdomain === subdomain);
      return account ? [...account.slots].sort((a, b) => a.at - b.at).map((s) => s.value).filter(Boolean) : [];
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
