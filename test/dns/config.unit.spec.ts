/** DNS provider settings: defaults, one named field per mistake, and secrets that never leak. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/errors.js';
import { createDnsProvider, parseDnsProviderConfig, redactDnsProviderConfig } from '../../src/infra/dns/index.js';

const SECRET = 'c2VjcmV0LXRzaWcta2V5LW5ldmVyLWxvZ2dlZC0xMjM0NTY3OA==';
const PASSWORD = 'acme-dns-password-never-logged-0123456789';

const rfc2136 = { kind: 'rfc2136', server: '192.0.2.53', zone: 'Example.Test.', tsig: { name: 'Update-Key.', secret: SECRET } };
const acmeDns = { kind: 'acme-dns', apiUrl: 'https://auth.example.test', accounts: { '*.Example.Test': { username: 'u', password: PASSWORD, subdomain: 's' } } };
const challtestsrv = { kind: 'challtestsrv', managementUrl: 'http://127.0.0.1:8055', dnsServer: '127.0.0.1:8053' };

function fieldsOf(input: unknown): Record<string, string> {
  try {
    parseDnsProviderConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { ...(error as ValidationError).fields };
  }
  throw new Error('expected a ValidationError');
}

describe('valid settings', () => {
  it('rfc2136: port 53, hmac-sha256, TTL 60 s and 5 s timeout by default; names lower-case without the root dot', () => {
    expect(parseDnsProviderConfig(rfc2136)).toEqual({
      kind: 'rfc2136', server: { host: '192.0.2.53', port: 53 }, zone: 'example.test',
      tsig: { name: 'update-key', algorithm: 'hmac-sha256', secret: SECRET }, ttl: 60, timeoutMs: 5_000,
    });
    expect(parseDnsProviderConfig({ ...rfc2136, server: '[2001:db8::53]:5353' })).toMatchObject({ server: { host: '2001:db8::53', port: 5353 } });
    expect(parseDnsProviderConfig({ ...rfc2136, tsig: { ...rfc2136.tsig, algorithm: 'hmac-sha512' } })).toMatchObject({ tsig: { algorithm: 'hmac-sha512' } });
  });

  it('acme-dns: accounts keyed by the validated name, a wildcard by its apex', () => {
    expect(parseDnsProviderConfig(acmeDns)).toMatchObject({ accounts: { 'example.test': { username: 'u', subdomain: 's' } } });
  });

  it('challtestsrv', () => {
    expect(parseDnsProviderConfig(challtestsrv)).toMatchObject({ dnsServer: { host: '127.0.0.1', port: 8053 }, timeoutMs: 5_000 });
  });
});

describe('each bad field is named', () => {
  const cases: [string, unknown, string][] = [
    ['unknown kind', { ...rfc2136, kind: 'route53' }, 'kind'],
    ['no kind', {}, 'kind'],
    ['server not host:port', { ...rfc2136, server: '127.0.0.1:99999' }, 'server'],
    ['server missing', { ...rfc2136, server: undefined }, 'server'],
    ['zone not a name', { ...rfc2136, zone: 'not a zone' }, 'zone'],
    ['tsig missing', { ...rfc2136, tsig: undefined }, 'tsig'],
    ['tsig.name not a name', { ...rfc2136, tsig: { ...rfc2136.tsig, name: 'bad key!' } }, 'tsig.name'],
    ['tsig.algorithm unsupported', { ...rfc2136, tsig: { ...rfc2136.tsig, algorithm: 'hmac-md5' } }, 'tsig.algorithm'],
    ['tsig.secret not base64', { ...rfc2136, tsig: { ...rfc2136.tsig, secret: 'not base64 at all!' } }, 'tsig.secret'],
    ['tsig.secret too short', { ...rfc2136, tsig: { ...rfc2136.tsig, secret: 'c2hvcnQ=' } }, 'tsig.secret'],
    ['ttl negative', { ...rfc2136, ttl: -1 }, 'ttl'],
    ['timeoutMs not an integer', { ...rfc2136, timeoutMs: 1.5 }, 'timeoutMs'],
    ['a setting of another kind', { ...rfc2136, apiUrl: 'https://x.test' }, 'apiUrl'],
    ['apiUrl not http(s)', { ...acmeDns, apiUrl: 'ftp://auth.example.test' }, 'apiUrl'],
    ['accounts keyed by a non-name', { ...acmeDns, accounts: { 'not a name': acmeDns.accounts['*.Example.Test'] } }, 'accounts.not a name'],
    ['account password empty', { ...acmeDns, accounts: { 'a.test': { username: 'u', password: '', subdomain: 's' } } }, 'accounts.a.test.password'],
    ['account username missing', { ...acmeDns, accounts: { 'a.test': { password: 'p', subdomain: 's' } } }, 'accounts.a.test.username'],
    ['managementUrl not a URL', { ...challtestsrv, managementUrl: 'localhost:8055' }, 'managementUrl'],
    ['dnsServer not a string', { ...challtestsrv, dnsServer: 8053 }, 'dnsServer'],
  ];
  it.each(cases)('%s → %s', (_label, input, field) => {
    expect(Object.keys(fieldsOf(input))).toEqual([field]);
  });

  it('several mistakes at once: every field is named', () => {
    expect(Object.keys(fieldsOf({ ...rfc2136, server: '', zone: '', ttl: 'x' })).sort()).toEqual(['server', 'ttl', 'zone']);
  });
});

describe('secrets never leak', () => {
  it('a rejected TSIG secret or password is not repeated in the error', () => {
    const badSecret = 'TOP-SECRET-but-not-base64';
    for (const input of [
      { ...rfc2136, tsig: { ...rfc2136.tsig, secret: badSecret } },
      { ...rfc2136, zone: '', tsig: { ...rfc2136.tsig, secret: SECRET } },
      { ...acmeDns, apiUrl: 'nope' },
    ]) {
      try {
        parseDnsProviderConfig(input);
        throw new Error('expected a ValidationError');
      } catch (error) {
        const shown = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify((error as ValidationError).fields)}`;
        for (const secret of [badSecret, SECRET, PASSWORD]) expect(shown).not.toContain(secret);
      }
    }
  });

  it('a provider shows nothing but its kind', () => {
    for (const input of [rfc2136, acmeDns]) {
      const provider = createDnsProvider(input);
      const shown = `${JSON.stringify(provider)} ${String(provider)} ${Object.keys(provider).join()}`;
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(PASSWORD);
      expect(Object.keys(provider).sort()).toEqual(['kind', 'removeTxt', 'setTxt']);
    }
  });

  it('redaction masks the TSIG secret and acme-dns passwords, nothing else', () => {
    const shown = JSON.stringify([redactDnsProviderConfig(parseDnsProviderConfig(rfc2136)), redactDnsProviderConfig(parseDnsProviderConfig(acmeDns))]);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(PASSWORD);
    expect(redactDnsProviderConfig(parseDnsProviderConfig(rfc2136))).toMatchObject({ zone: 'example.test', tsig: { name: 'update-key', secret: '[redacted]' } });
  });
});
