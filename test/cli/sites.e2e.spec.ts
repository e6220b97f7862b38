import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/infra/ids.js';
import { startTestStack, type TestStack } from '../support/app.js';
import { certledger, cliEnv } from '../support/cli.js';

describe('certledger sites deploy | list | show | backup | undeploy (PostgreSQL)', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  let dir: string;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    stack = await startTestStack('postgres', { masterKey });
    env = cliEnv(stack, masterKey);
    dir = await mkdtemp(join(tmpdir(), 'certledger-sites-'));
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deploys a site without TLS, shows it, backs it up to a 0600 file and undeploys it', async () => {
    const siteId = ids.random();
    const deploy = await certledger(['--json', 'sites', 'deploy', siteId, 'Plain.cli.test', '--tls', 'none'], env);
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    expect(JSON.parse(deploy.stdout)).toMatchObject({ events: ['SiteDeployed', 'SiteServedWithoutTls'], site: { site_id: siteId, host_names: ['plain.cli.test'] } });

    const show = await certledger(['sites', 'show', siteId], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`${siteId} deployed plain.cli.test`);
    expect(show.stdout).toContain('wish none; serves none');

    const list = await certledger(['--json', 'sites', 'list', '--host', 'PLAIN.cli.test'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ total: 1, items: [{ site_id: siteId, status: 'deployed', current_kind: 'none' }] });

    const file = join(dir, 'site.json');
    const backup = await certledger(['sites', 'backup', siteId, '--out', file], env);
    expect(backup.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ site_id: siteId, host_names: ['plain.cli.test'], wish: { kind: 'none' }, deployed: true, certificate: null });

    const undeploy = await certledger(['--json', 'sites', 'undeploy', siteId], env);
    expect(undeploy.code).toBe(0);
    expect(JSON.parse(undeploy.stdout).site.status).toBe('undeployed');

    const missing = await certledger(['sites', 'show', ids.random()], env);
    expect(missing.code).not.toBe(0);
  });
});
