import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certledger, cliEnv } from '../support/cli.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain } from '../support/pki.js';

/** A Redis database no other test file uses. */
const CLI_DB = 10;

describe('certledger redis prime (PostgreSQL, Redis database 10)', () => {
  let stack: TestStack;
  let redis: Redis;
  let env: Record<string, string>;
  const masterKey = randomBytes(32);
  const tag = randomBytes(4).toString('hex');
  const names = [`a-${tag}.cli.test`, `b-${tag}.cli.test`];

  beforeAll(async () => {
    stack = await startTestStack('postgres', { masterKey });
    redis = new Redis({ host: '127.0.0.1', port: 6379, db: CLI_DB, lazyConnect: true });
    await redis.connect();
    await redis.flushdb();
    env = { ...cliEnv(stack, masterKey), REDIS_URL: 'redis://127.0.0.1:6379', CERTLEDGER_REDIS_DB: String(CLI_DB) };
    for (const name of names) {
      const chain = await createTestChain({ names: [name] });
      const res = await fetch(`${stack.admin.url}/.well-known/peter_sslers/certificate-signed/upload.json`, {
        method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
      });
      expect(res.status).toBe(200);
      await json(res);
    }
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  it('writes every domain into Redis from the stores alone and reports the counts as JSON', async () => {
    const result = await certledger(['redis', 'prime', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ domains: 2, certificates: 2, removed: 0 });
    const [recorded] = await stack.deps.store.readStream('redisPrime-global');
    expect(recorded).toMatchObject({ id: report.eventId, type: 'RedisPrimeWritten', data: { domains: 2, certificates: 2, removed: 0 }, metadata: { actor: 'cli' } });
    for (const name of names) {
      const served = await json(await fetch(`${stack.admin.url}/.well-known/peter_sslers/domain/${name}/config.json`));
      const c = served.certificate_signed__latest_single;
      expect(await redis.hgetall(`d1:${name}`)).toEqual({ c: c.certificate.id, p: c.private_key.id, i: c.chain.id });
      expect(await redis.hgetall(`d2:${name}`)).toEqual({ p: c.private_key.pem, f: c.fullchain.pem });
      expect(await redis.get(`p:${c.private_key.id}`)).toBe(c.private_key.pem);
    }
    const text = await certledger(['redis', 'prime'], env);
    expect(text.stdout).toMatch(/^primed 2 domains \(2 certificates\), removed 0, in \d+ ms\n$/);
  });

  it('fails with a one-line reason and a non-zero exit', async () => {
    const { REDIS_URL: _, ...withoutRedis } = env;
    const noRedis = await certledger(['redis', 'prime'], withoutRedis);
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toBe('certledger: redis is not enabled: set REDIS_URL\n');
    const badConfig = await certledger(['redis', 'prime'], { ...env, CERTLEDGER_REDIS_DB: '99' });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/^certledger: .*CERTLEDGER_REDIS_DB/);
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1);
    const usage = await certledger(['redis', 'prime', '--nope'], env);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toMatch(/unknown option '--nope'/);
  });

  it('documents every command with --help', async () => {
    for (const args of [['--help'], ['redis', '--help'], ['redis', 'prime', '--help'], ['renew', '--help'], ['serve', '--help']]) {
      const help = await certledger(args, {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: certledger/);
    }
  });
});
