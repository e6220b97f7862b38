import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infra/config.js';
import { configProblems } from '../support/config.js';

const problems = configProblems;

describe('nginx cache control configuration (CERTLEDGER_NGINX_*)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certledger-nginx-config-'));
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    await writeFile(join(dir, 'not-pem.txt'), 'hello');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is off without servers, whatever else is set', () => {
    expect(loadConfig({}).nginx).toBeUndefined();
    expect(loadConfig({ CERTLEDGER_NGINX_SERVERS: ' , ', CERTLEDGER_NGINX_USERPASS: 'a:b' }).nginx).toBeUndefined();
  });

  it('has peter_sslers defaults once a server is named', () => {
    expect(loadConfig({ CERTLEDGER_NGINX_SERVERS: 'http://127.0.0.1:8081' }).nginx).toEqual({
      servers: ['http://127.0.0.1:8081'],
      expirePath: '/.peter_sslers/nginx/shared_cache/expire',
      statusPath: '/.peter_sslers/nginx/shared_cache/status',
      timeoutMs: 2000,
      autoExpire: true,
    });
  });

  it('takes every variable: servers trimmed, deduplicated and without trailing slash, user:password split at the first colon', () => {
    const config = loadConfig({
      CERTLEDGER_NGINX_SERVERS: 'https://edge-1.example:8443/ , http://10.0.0.2:8081,https://edge-1.example:8443',
      CERTLEDGER_NGINX_USERPASS: 'ops:pa:ss',
      CERTLEDGER_NGINX_EXPIRE_PATH: '/certledger/expire',
      CERTLEDGER_NGINX_STATUS_PATH: '/certledger/status',
      CERTLEDGER_NGINX_TIMEOUT_MS: '750',
      CERTLEDGER_NGINX_CA_BUNDLE: join(dir, 'ca.pem'),
      CERTLEDGER_NGINX_AUTO_EXPIRE: 'off',
    });
    expect(config.nginx).toEqual({
      servers: ['https://edge-1.example:8443', 'http://10.0.0.2:8081'],
      userpass: { user: 'ops', password: 'pa:ss' },
      expirePath: '/certledger/expire',
      statusPath: '/certledger/status',
      timeoutMs: 750,
      caBundlePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      autoExpire: false,
    });
  });

  it.each([
    [{ CERTLEDGER_NGINX_SERVERS: 'ftp://edge:21' }, 'CERTLEDGER_NGINX_SERVERS'],
    [{ CERTLEDGER_NGINX_SERVERS: 'edge-1:8081' }, 'CERTLEDGER_NGINX_SERVERS'],
    [{ CERTLEDGER_NGINX_SERVERS: 'https://ops:secret@edge:8443' }, 'CERTLEDGER_NGINX_SERVERS'],
    [{ CERTLEDGER_NGINX_USERPASS: 'no-colon' }, 'CERTLEDGER_NGINX_USERPASS'],
    [{ CERTLEDGER_NGINX_USERPASS: ':password' }, 'CERTLEDGER_NGINX_USERPASS'],
    [{ CERTLEDGER_NGINX_EXPIRE_PATH: 'expire' }, 'CERTLEDGER_NGINX_EXPIRE_PATH'],
    [{ CERTLEDGER_NGINX_STATUS_PATH: '/status/' }, 'CERTLEDGER_NGINX_STATUS_PATH'],
    [{ CERTLEDGER_NGINX_TIMEOUT_MS: '0' }, 'CERTLEDGER_NGINX_TIMEOUT_MS'],
    [{ CERTLEDGER_NGINX_TIMEOUT_MS: '2s' }, 'CERTLEDGER_NGINX_TIMEOUT_MS'],
    [{ CERTLEDGER_NGINX_AUTO_EXPIRE: 'yes' }, 'CERTLEDGER_NGINX_AUTO_EXPIRE'],
  ])('refuses %o naming %s', (env, name) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(name);
  });

  it('never repeats a password from a server URL in the error', () => {
    const [problem] = problems({ CERTLEDGER_NGINX_SERVERS: 'https://ops:s3cr3t@edge:8443' });
    expect(problem).toContain('CERTLEDGER_NGINX_SERVERS');
    expect(problem).not.toContain('s3cr3t');
  });

  it('stops the start on a CA bundle it cannot read or that holds no certificate', () => {
    const missing = problems({ CERTLEDGER_NGINX_SERVERS: 'https://edge:8443', CERTLEDGER_NGINX_CA_BUNDLE: join(dir, 'missing.pem') });
    expect(missing).toEqual([`CERTLEDGER_NGINX_CA_BUNDLE cannot be read (ENOENT): ${join(dir, 'missing.pem')}`]);
    const notPem = problems({ CERTLEDGER_NGINX_SERVERS: 'https://edge:8443', CERTLEDGER_NGINX_CA_BUNDLE: join(dir, 'not-pem.txt') });
    expect(notPem).toEqual([`CERTLEDGER_NGINX_CA_BUNDLE holds no PEM certificate: ${join(dir, 'not-pem.txt')}`]);
  });
});
