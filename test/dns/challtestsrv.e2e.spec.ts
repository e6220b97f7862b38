/** The challtestsrv adapter against the run's real pebble-challtestsrv, checked through its DNS port. */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { createDnsProvider, DnsProviderError } from '../../src/infra/dns/index.js';
import { resolveTxtAt } from '../support/dns-lookup.js';
import { connectPebble } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
const dnsServer = { host: '127.0.0.1', port: pebble.ports.dns };
const dns = createDnsProvider({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` });
// One challtestsrv serves every test file of the run: a name of our own per test.
const freshName = () => `_acme-challenge.${randomUUID().slice(0, 8)}.dns-provider.example.test`;
const V1 = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const V2 = 'JfMbCz4_8-Hm3C8SnfTEwCNN84t9Cr8PJpp8wSW1gBE';

describe('challtestsrv provider', () => {
  it('sets a TXT value that challtestsrv then answers, and removes it', async () => {
    const name = freshName();
    const { cleanupToken } = await dns.setTxt(name, V1);
    expect(cleanupToken).toBe(`challtestsrv ${pebble.challtestsrvUrl}`);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([V1]);
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([]);
  });

  it('removes only its value: the apex and wildcard pair and a value set by someone else stay', async () => {
    const name = freshName();
    await dns.setTxt(name, V1);
    await dns.setTxt(`${name.toUpperCase()}.`, V2);
    await pebble.challtestsrv.setTxt(name, 'set-by-someone-else');
    expect(await resolveTxtAt(dnsServer, name)).toEqual([V1, V2, 'set-by-someone-else'].sort());
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([V2, 'set-by-someone-else'].sort());
    await dns.removeTxt(name, V2);
    await pebble.challtestsrv.clearTxt(name);
  });

  it('is idempotent: one copy after two sets, and removing a value that is not there changes nothing', async () => {
    const name = freshName();
    await dns.setTxt(name, V1);
    await dns.setTxt(name, V1);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([V1]);
    await dns.removeTxt(name, V2);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([V1]);
    await dns.removeTxt(name, V1);
    await dns.removeTxt(name, V1);
    expect(await resolveTxtAt(dnsServer, name)).toEqual([]);
  });

  it('a management API that is not there: unreachable', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const dead = createDnsProvider({ kind: 'challtestsrv', managementUrl: `http://127.0.0.1:${port}`, dnsServer: `127.0.0.1:${pebble.ports.dns}`, timeoutMs: 1_000 });
    const error = await dead.setTxt(freshName(), V1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsProviderError);
    expect(error).toMatchObject({ provider: 'challtestsrv', failure: 'unreachable' });
  });
});
