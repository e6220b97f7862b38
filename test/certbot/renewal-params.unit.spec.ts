import { describe, expect, it } from 'vitest';
import {
  challengeTypeOf, directoryUrlOfServerPath, identifiersOf, keyPolicyOf, keyTechnologyOf, serverPathOfDirectoryUrl,
} from '../../src/commands/certbot-import/renewal-params.js';
import { configList, parseConfigObj } from '../../src/infra/certbot/configobj.js';

/** As certbot 2.1 writes it (test/certbot/import.e2e.spec.ts makes real ones). */
const CONF = `# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/example.com
cert = /etc/letsencrypt/live/example.com/cert.pem

# Options used in the renewal process
[renewalparams]
account = 0c98a347e18e2eb2bf74b4f70157473f
key_type = ecdsa
elliptic_curve = secp384r1
pref_challs = dns-01,
server = https://acme-v02.api.letsencrypt.org/directory
authenticator = manual
manual_auth_hook = "/usr/local/bin/hook set"
reuse_key = True
`;

const renewal = (params: Record<string, string>) => parseConfigObj(`[renewalparams]\n${Object.entries(params).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);

describe('certbot renewal files', () => {
  it('reads configobj: top-level values, the renewalparams section, quotes, lists', () => {
    const parsed = parseConfigObj(CONF);
    expect(parsed.values).toEqual({ version: '2.1.0', archive_dir: '/etc/letsencrypt/archive/example.com', cert: '/etc/letsencrypt/live/example.com/cert.pem' });
    expect(parsed.sections.renewalparams).toMatchObject({ account: '0c98a347e18e2eb2bf74b4f70157473f', manual_auth_hook: '/usr/local/bin/hook set', pref_challs: 'dns-01,' });
    expect(configList('dns-01,')).toEqual(['dns-01']);
    expect(configList('http-01, dns-01')).toEqual(['http-01', 'dns-01']);
    expect(configList(undefined)).toEqual([]);
  });

  it('maps authenticators to challenge types', () => {
    expect(challengeTypeOf(parseConfigObj(CONF)).challengeType).toBe('dns-01');
    for (const authenticator of ['webroot', 'standalone', 'nginx', 'apache']) expect(challengeTypeOf(renewal({ authenticator })).challengeType).toBe('http-01');
    expect(challengeTypeOf(renewal({ authenticator: 'dns-cloudflare' })).challengeType).toBe('dns-01');
    expect(challengeTypeOf(renewal({ authenticator: 'manual', pref_challs: 'http-01, dns-01' })).challengeType).toBe('http-01');
    expect(challengeTypeOf(renewal({ authenticator: 'manual' })).challengeType).toBe('http-01');
    expect(identifiersOf(['*.example.com', 'example.com', '192.0.2.1'], 'http-01')).toEqual([
      { type: 'dns', value: '*.example.com', challengeType: 'dns-01' },
      { type: 'dns', value: 'example.com', challengeType: 'http-01' },
      { type: 'ip', value: '192.0.2.1', challengeType: 'http-01' },
    ]);
  });

  it('maps key type, size and reuse', () => {
    expect(keyTechnologyOf(parseConfigObj(CONF), 'RSA_2048')).toBe('EC_P384');
    expect(keyTechnologyOf(renewal({ key_type: 'ecdsa' }), 'RSA_2048')).toBe('EC_P256');
    expect(keyTechnologyOf(renewal({ key_type: 'rsa', rsa_key_size: '4096' }), 'EC_P256')).toBe('RSA_4096');
    // certbot < 2.0 wrote no key_type and made RSA 2048.
    expect(keyTechnologyOf(renewal({}), 'EC_P256')).toBe('RSA_2048');
    // A size certledger does not order falls back to the lineage's current key.
    expect(keyTechnologyOf(renewal({ key_type: 'rsa', rsa_key_size: '1024' }), 'RSA_2048')).toBe('RSA_2048');
    expect(keyPolicyOf(parseConfigObj(CONF))).toBe('single_use__reuse_1_year');
    expect(keyPolicyOf(renewal({}))).toBe('single_use');
  });

  it('names the account folder after the directory URL and back', () => {
    expect(serverPathOfDirectoryUrl('https://acme-v02.api.letsencrypt.org/directory')).toBe('acme-v02.api.letsencrypt.org/directory');
    expect(serverPathOfDirectoryUrl('https://127.0.0.1:14000/dir')).toBe('127.0.0.1:14000/dir');
    expect(directoryUrlOfServerPath('127.0.0.1:14000/dir')).toBe('https://127.0.0.1:14000/dir');
  });
});
