/**
 * The acme-dns adapter against a local stand-in of acme-dns's HTTP API
 * (test/support/dns-acme-dns-standin.ts): the one stand-in of these tests, because acme-dns is
 * packaged neither for Debian nor for npm and so cannot run here. BIND and challtestsrv, which
 * can, are tested for real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeDnsCname, createDnsProvider, DnsProviderError, DnsUpdateRefusedError, registerAcmeDnsAccount, type AcmeDnsRegistration,
} from '../../src/infra/dns/index.js';
import { startAcmeDnsStandIn, type AcmeDnsStandIn } from '../support/dns-acme-dns-standin.js';

let acmeDns: AcmeDnsStandIn;
let registration: AcmeDnsRegistration;
beforeAll(async () => {
  acmeDns = await startAcmeDnsStandIn();
  registration = await registerAcmeDnsAccount(acmeDns.apiUrl);
});
afterAll(() => acmeDns?.close());

const V1 = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const V2 = 'JfMbCz4_8-Hm3C8SnfTEwCNN84t9Cr8PJpp8wSW1gBE';
const V3 = 'kDa1q2wOZ5dC0rTZp5oTn7dXxq3gmbyxJ6k2yC9yN0M';
const providerFor = (accounts: Record<string, unknown>) => createDnsProvider({ kind: 'acme-dns', apiUrl: acmeDns.apiUrl, accounts });

describe('registration', () => {
  it('returns the credentials and the CNAME the operator must create', async () => {
    expect(registration).toMatchObject({ username: expect.any(String), password: expect.any(String), allowFrom: [] });
    expect(registration.fulldomain).toBe(`${registration.subdomain}.${acmeDns.domain}`);
    expect(acmeDnsCname('*.Shop.Example.Test', registration)).toEqual({ recordName: '_acme-challenge.shop.example.test', target: registration.fulldomain });
  });

  it('passes allowfrom networks on', async () => {
    expect(await registerAcmeDnsAccount(acmeDns.apiUrl, { allowFrom: ['127.0.0.0/8'] })).toMatchObject({ allowFrom: ['127.0.0.0/8'] });
  });
});

describe('updates', () => {
  it('sets the TXT value of the registered subdomain for _acme-challenge.<name>', async () => {
    const account = await registerAcmeDnsAccount(acmeDns.apiUrl);
    const dns = providerFor({ 'shop.example.test': account });
    const { cleanupToken } = await dns.setTxt('_acme-challenge.shop.example.test', V1);
    expect(cleanupToken).toBe(`acme-dns ${account.fulldomain} at ${acmeDns.apiUrl}`);
    expect(acmeDns.txtValues(account.subdomain)).toEqual([V1]);
  });

  it("holds a wildcard's and its apex's values at once; a third replaces the oldest (acme-dns keeps two); remove sends nothing", async () => {
    const account = await registerAcmeDnsAccount(acmeDns.apiUrl);
    const dns = providerFor({ '*.shop.example.test': account });
    await dns.setTxt('_acme-challenge.shop.example.test', V1);
    await dns.setTxt('_acme-challenge.shop.example.test.', V2);
    expect(acmeDns.txtValues(account.subdomain)).toEqual([V1, V2]);
    await dns.setTxt('_acme-challenge.shop.example.test', V3);
    expect(acmeDns.txtValues(account.subdomain)).toEqual([V2, V3]);
    const before = acmeDns.requests.length;
    await dns.removeTxt('_acme-challenge.shop.example.test', V3);
    expect(acmeDns.requests.length).toBe(before);
  });

  it('wrong credentials: refused with the HTTP status and acme-dns error word, the password nowhere in it', async () => {
    const wrong = { ...registration, password: 'x'.repeat(40) };
    const error = await providerFor({ 'a.example.test': wrong }).setTxt('_acme-challenge.a.example.test', V1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsUpdateRefusedError);
    expect(error).toMatchObject({ provider: 'acme-dns', rcode: '401 forbidden', code: 'dns_refused' });
    const shown = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(shown).not.toContain(wrong.password);
    expect(shown).not.toContain(registration.password);
    expect(acmeDns.txtValues(registration.subdomain)).toEqual([]);
  });

  it('a value acme-dns does not take (not 43 characters): 400 bad_txt', async () => {
    await expect(providerFor({ 'a.example.test': registration }).setTxt('_acme-challenge.a.example.test', 'short'))
      .rejects.toMatchObject({ rcode: '400 bad_txt' });
  });

  it('a name with no account: unknown_name, nothing sent', async () => {
    const before = acmeDns.requests.length;
    await expect(providerFor({ 'a.example.test': registration }).setTxt('_acme-challenge.b.example.test', V1))
      .rejects.toMatchObject({ failure: 'unknown_name', message: expect.stringContaining('b.example.test') });
    expect(acmeDns.requests.length).toBe(before);
  });

  it('an API that is not there: unreachable', async () => {
    const gone = await startAcmeDnsStandIn();
    await gone.close();
    const dns = createDnsProvider({ kind: 'acme-dns', apiUrl: gone.apiUrl, accounts: { 'a.example.test': registration }, timeoutMs: 1_000 });
    const error = await dns.setTxt('_acme-challenge.a.example.test', V1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsProviderError);
    expect(error).toMatchObject({ failure: 'unreachable' });
    expect((error as Error).message).not.toContain(registration.password);
  });
});
