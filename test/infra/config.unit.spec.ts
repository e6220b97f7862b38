import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infra/config.js';
import { configProblems } from '../support/config.js';

const problems = configProblems;

describe('configuration from the environment', () => {
  it('needs nothing: embedded default on ./data, no Redis, both listeners on loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      dataDir: path.resolve('data'),
      databaseUrl: undefined,
      eventStoreUrl: undefined,
      redisUrl: undefined,
      redisDb: 9,
      adminListen: { host: '127.0.0.1', port: 7201 },
      publicListen: { host: '127.0.0.1', port: 7202 },
      adminPrefix: '/.well-known/peter_sslers',
      roles: ['admin', 'public', 'projector'],
    });
  });

  it('takes every documented variable', () => {
    const config = loadConfig({
      CERTLEDGER_DATA_DIR: '/var/lib/certledger',
      DATABASE_URL: 'postgres://u@db/certledger',
      EVENTSTORE_URL: 'esdb://es:2113?tls=false',
      REDIS_URL: 'redis://cache:6379/3',
      CERTLEDGER_ADMIN_LISTEN: '[::1]:8000',
      CERTLEDGER_PUBLIC_LISTEN: '0.0.0.0:80',
      CERTLEDGER_ADMIN_PREFIX: '/admin',
      CERTLEDGER_ADMIN_TOKEN: 'x'.repeat(32),
      CERTLEDGER_MASTER_KEY: 'k',
      CERTLEDGER_ROLES: 'public',
    });
    expect(config).toMatchObject({
      dataDir: '/var/lib/certledger',
      databaseUrl: 'postgres://u@db/certledger',
      eventStoreUrl: 'esdb://es:2113?tls=false',
      redisUrl: 'redis://cache:6379/3',
      adminListen: { host: '::1', port: 8000 },
      publicListen: { host: '0.0.0.0', port: 80 },
      adminPrefix: '/admin',
      roles: ['public'],
    });
  });

  it('names each bad value and what it should be', () => {
    const found = problems({
      CERTLEDGER_ADMIN_LISTEN: '7201',
      CERTLEDGER_PUBLIC_LISTEN: '127.0.0.1:99999',
      DATABASE_URL: 'mysql://x',
      EVENTSTORE_URL: 'http://es',
      REDIS_URL: 'not a url',
      CERTLEDGER_ADMIN_PREFIX: 'admin/',
      CERTLEDGER_ADMIN_TOKEN: 'short',
      CERTLEDGER_ROLES: 'admin,worker',
    });
    for (const name of ['CERTLEDGER_ADMIN_LISTEN', 'CERTLEDGER_PUBLIC_LISTEN', 'DATABASE_URL', 'EVENTSTORE_URL', 'REDIS_URL', 'CERTLEDGER_ADMIN_PREFIX', 'CERTLEDGER_ADMIN_TOKEN', 'CERTLEDGER_ROLES']) {
      expect(found.some((p) => p.startsWith(name)), name).toBe(true);
    }
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '' }).databaseUrl).toBeUndefined();
  });
  it('reads the Redis prime styles and TTLs: both styles and no TTL by default, one TTL for all or per kind', () => {
    expect(loadConfig({}).redisPrime).toEqual({ styles: [1, 2], ttlSeconds: {} });
    expect(loadConfig({ CERTLEDGER_REDIS_PRIME_STYLES: '2', CERTLEDGER_REDIS_PRIME_TTL_SECONDS: '600' }).redisPrime).toEqual({
      styles: [2], ttlSeconds: { d1: 600, d2: 600, c: 600, p: 600, i: 600 },
    });
    expect(loadConfig({ CERTLEDGER_REDIS_PRIME_TTL_SECONDS: 'd1=60, c=3600' }).redisPrime.ttlSeconds).toEqual({ d1: 60, c: 3600 });
    expect(problems({ CERTLEDGER_REDIS_PRIME_STYLES: '3' })[0]).toContain('CERTLEDGER_REDIS_PRIME_STYLES takes 1, 2 or 1,2');
    expect(problems({ CERTLEDGER_REDIS_PRIME_TTL_SECONDS: 'x=5' })[0]).toContain('kind=seconds for d1, d2, c, p, i');
    expect(problems({ CERTLEDGER_REDIS_PRIME_TTL_SECONDS: '0' })[0]).toContain('CERTLEDGER_REDIS_PRIME_TTL_SECONDS');
  });
});
