/**
 * The composition root with CERTLEDGER_NGINX_SERVERS: every role gets the nginx client (the
 * routes), only the projector runs the automatic expiry, and no log line carries the password.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxCacheStreams } from '../../src/domain/shared/ids.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import { appDepsFrom } from '../../src/http/app-factory.js';
import { loadConfig } from '../../src/infra/config.js';
import { createRuntime } from '../../src/infra/container.js';
import { createLogger } from '../../src/infra/logger.js';
import { form, json, listenOn } from '../support/app.js';
import { NGINX_CACHE_LOCATION, startNginxCache, type TestNginxCache } from '../support/nginx.js';
import { createTestChain } from '../support/pki.js';
import { until as untilDefault } from '../support/until.js';

const until = <T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000) => untilDefault(probe, done, timeoutMs, 25);

const PREFIX = '/.well-known/peter_sslers';

describe('runtime wiring of nginx cache control (pglite data folder)', () => {
  let nginx: TestNginxCache;
  let dataDir: string;
  const run = randomBytes(4).toString('hex');
  const password = `pw-${run}`;
  const lines: string[] = [];
  const env = (roles: string, autoExpire: 'on' | 'off') => ({
    CERTLEDGER_DATA_DIR: dataDir,
    CERTLEDGER_ROLES: roles,
    CERTLEDGER_NGINX_AUTO_EXPIRE: autoExpire,
    CERTLEDGER_NGINX_SERVERS: nginx.url,
    CERTLEDGER_NGINX_USERPASS: `certledger:${password}`,
  });
  /** Starts a runtime, uploads a certificate for `name` (when given) through its admin app, and closes it after `then`. */
  const withRuntime = async (roles: string, autoExpire: 'on' | 'off', name: string | undefined, then: () => Promise<void>) => {
    const runtime = await createRuntime(loadConfig(env(roles, autoExpire)), createLogger('debug', (line) => lines.push(line)));
    try {
      const deps = appDepsFrom(runtime.container);
      expect(deps.nginx?.servers).toEqual([nginx.url]);
      const admin = await listenOn(createAdminApp(deps));
      try {
        if (name) {
          const chain = await createTestChain({ names: [name], keyAlgorithm: 'EC' });
          const res = await fetch(`${admin.url}${PREFIX}/certificate-signed/upload.json`, {
            method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
          });
          expect(res.status).toBe(200);
        }
        await then();
        // The status route reaches nginx through auth_basic with the configured password.
        const status = await json(await fetch(`${admin.url}/api/v1/nginx/status`));
        expect(status.success).toEqual([nginx.url]);
        const events = await deps.store.readStream(nginxCacheStreams.nginxCache());
        return events.map((e) => e.data);
      } finally {
        await admin.close();
      }
    } finally {
      await runtime.close();
    }
  };

  beforeAll(async () => {
    nginx = await startNginxCache({ basicAuth: { user: 'certledger', password } });
    dataDir = await mkdtemp(join(tmpdir(), 'certledger-nginx-runtime-'));
  }, 60_000);
  afterAll(async () => {
    await nginx?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the projector expires an imported certificate\'s name on nginx by itself', async () => {
    const name = `runtime-${run}.wired.test`;
    const events = await withRuntime('admin,projector', 'on', name, async () => {
      await until(() => nginx.requests(), (seen) => seen.includes(`GET ${NGINX_CACHE_LOCATION}expire/domain/${name} 200`));
    });
    expect(events).toEqual([expect.objectContaining({ scope: 'domains', domainNames: [name], trigger: 'certificate-changed' })]);
  }, 60_000);

  it('with CERTLEDGER_NGINX_AUTO_EXPIRE=off the projector leaves nginx alone; an admin-only process still has the routes', async () => {
    const name = `manual-${run}.wired.test`;
    const before = (await nginx.requests()).length;
    const events = await withRuntime('admin,projector', 'off', name, async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await nginx.requests()).slice(before).filter((line) => line.includes('/expire/'))).toEqual([]);
    });
    expect(events).toHaveLength(1);
    await withRuntime('admin', 'on', undefined, async () => undefined);
    expect(lines.join('\n')).not.toContain(password);
    expect(lines.join('\n')).toContain('"nginxServers":1');
  }, 60_000);
});
