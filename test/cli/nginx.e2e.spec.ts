import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNginxCache, type TestNginxCache } from '../support/nginx.js';
import { certledger, cliEnv } from '../support/cli.js';
import { startTestStack, type TestStack } from '../support/app.js';

describe('certledger nginx flush | expire | status (real nginx, PostgreSQL)', () => {
  let stack: TestStack;
  let nginx: TestNginxCache;
  let env: Record<string, string>;
  let dead: string;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    stack = await startTestStack('postgres', { masterKey });
    nginx = await startNginxCache();
    dead = `http://127.0.0.1:${await freePort()}`;
    env = { ...cliEnv(stack, masterKey), CERTLEDGER_NGINX_SERVERS: nginx.url, CERTLEDGER_NGINX_TIMEOUT_MS: '1000' };
  }, 60_000);
  afterAll(async () => {
    await nginx?.stop();
    await stack?.close();
  });

  it('flushes and expires on the server, records each as an event, and reports the status', async () => {
    const flush = await certledger(['--json', 'nginx', 'flush'], env);
    expect(flush.stderr).toBe('');
    expect(flush.code).toBe(0);
    const flushed = JSON.parse(flush.stdout);
    expect(flushed.success).toEqual([nginx.url]);
    expect(flushed.errors).toEqual([]);

    const expire = await certledger(['nginx', 'expire', 'a.cli.test', 'B.cli.test'], env);
    expect(expire.code).toBe(0);
    expect(expire.stdout).toMatch(new RegExp(`^ok {4}${nginx.url.replace(/[.:/]/g, '\\$&')} \\(\\d+ ms\\)\\n$`));
    expect(await nginx.requests()).toEqual(expect.arrayContaining([
      'GET /.peter_sslers/nginx/shared_cache/expire/all 200',
      'GET /.peter_sslers/nginx/shared_cache/expire/domain/a.cli.test 200',
      'GET /.peter_sslers/nginx/shared_cache/expire/domain/b.cli.test 200',
    ]));

    const events = await stack.deps.store.readStream('nginxCache-global');
    expect(events.map((e) => e.type)).toEqual(['NginxCacheExpired', 'NginxCacheExpired']);
    expect(events[0]!.id).toBe(flushed.event_id);
    expect(events[1]!.data).toMatchObject({ scope: 'domains', domainNames: ['a.cli.test', 'b.cli.test'], trigger: 'operator' });
    expect(events[1]!.metadata.actor).toBe('cli');

    const status = await certledger(['--json', 'nginx', 'status'], env);
    expect(status.code).toBe(0);
    const [server] = JSON.parse(status.stdout).servers;
    expect(server).toMatchObject({ server: nginx.url, ok: true, status: 200 });
  });

  it('exits 4 with every server listed when one of them fails, and 1 when nginx is not configured', async () => {
    const partial = await certledger(['nginx', 'flush'], { ...env, CERTLEDGER_NGINX_SERVERS: `${nginx.url},${dead}` });
    expect(partial.code).toBe(4);
    const lines = partial.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes(nginx.url))).toMatch(/^ok /);
    expect(lines.find((l) => l.includes(dead))).toMatch(/^error .+: /);

    const { CERTLEDGER_NGINX_SERVERS: _, ...without } = env;
    const off = await certledger(['nginx', 'status'], without);
    expect(off.code).toBe(1);
    expect(off.stderr).toBe('certledger: nginx is not enabled: set CERTLEDGER_NGINX_SERVERS\n');
  });
});
