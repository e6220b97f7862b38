import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { siteStreams } from '../../src/domain/shared/ids.js';
import { ids } from '../../src/infra/ids.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';
import { startTestStack, type TestStack } from '../support/app.js';
import { certledger, cliEnv } from '../support/cli.js';
import { createTestChain } from '../support/pki.js';

const DAY = 86_400_000;

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
  }, 240_000);
});

describe('certledger sites deploy with certificates and with ACME (PostgreSQL, Pebble)', () => {
  let stack: OrderStack;
  let env: Record<string, string>;
  let dir: string;
  let accountId: string;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    stack = await startOrderStack(inject('pebble'), 'postgres', { masterKey });
    accountId = await newAccount(stack);
    const { pebble } = stack;
    env = {
      ...cliEnv(stack, masterKey),
      CERTLEDGER_DNS_PROVIDER: JSON.stringify({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` }),
    };
    dir = await mkdtemp(join(tmpdir(), 'certledger-sites-tls-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const files = async (names: string[], label: string) => {
    const chain = await createTestChain({ names, notAfter: new Date(Date.now() + 30 * DAY), notBefore: new Date(Date.now() - DAY), keyAlgorithm: 'EC' });
    const paths = { cert: join(dir, `${label}.crt`), key: join(dir, `${label}.key`), chain: join(dir, `${label}.chain`) };
    await writeFile(paths.cert, chain.leaf.certPem);
    await writeFile(paths.key, chain.leaf.keyPem, { mode: 0o600 });
    await writeFile(paths.chain, chain.chainPem);
    return paths;
  };

  it('--tls own with --cert/--key/--chain imports the certificate and serves it; bad input names the field and writes nothing', async () => {
    const siteId = ids.random();
    const name = uniqueName('own-cli');
    const f = await files([name], 'own');
    const deploy = await certledger(['--json', 'sites', 'deploy', siteId, name, '--tls', 'own', '--cert', f.cert, '--key', f.key, '--chain', f.chain], env);
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    const out = JSON.parse(deploy.stdout);
    expect(out.events).toEqual(['SiteDeployed', 'SiteOwnCertificateAssigned']);
    expect(out.site.current).toMatchObject({ kind: 'own' });
    const show = await certledger(['sites', 'show', siteId], env);
    expect(show.stdout).toContain(`serves own ${out.site.current.certificate_id}`);

    const other = ids.random();
    const missing = await certledger(['sites', 'deploy', other, name, '--tls', 'own'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('certificate: is required when tls is own');
    const badName = await certledger(['sites', 'deploy', other, 'not a name', '--tls', 'none'], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('host_names.0: must be a host name');
    const badId = await certledger(['sites', 'deploy', 'bad id!', name, '--tls', 'none'], env);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('id: must be a site id');
    const halfPair = await certledger(['sites', 'deploy', other, name, '--tls', 'own', '--cert', f.cert], env);
    expect(halfPair.code).toBe(1);
    expect(halfPair.stderr).toContain('--cert and --key go together');
    const wrongKey = await files([name], 'other');
    const mismatched = await certledger(['sites', 'deploy', other, name, '--tls', 'own', '--cert', f.cert, '--key', wrongKey.key, '--chain', f.chain], env);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toMatch(/private_key/);
    expect(await stack.deps.store.readStream(siteStreams.site(other))).toEqual([]);
  }, 240_000);

  it('--tls acme obtains a certificate from the CA now (dns-01), enrolls it, and a redeploy reuses it', async () => {
    const siteId = ids.random();
    const name = uniqueName('acme-cli');
    const deploy = await certledger(['--json', 'sites', 'deploy', siteId, name, '--tls', 'acme', '--account', accountId, '--challenge', 'dns-01'], env, 120_000);
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    const out = JSON.parse(deploy.stdout);
    expect(out.events).toEqual(['SiteDeployed', 'SiteAcmeIssueStarted', 'SiteAcmeCertificateAssigned']);
    expect(out.tls_failure).toBeNull();
    expect(out.order_id).toEqual(expect.any(String));
    const certificateId = out.site.current.certificate_id;
    const renewal = await stack.handle.db.selectFrom('renewal_configurations').selectAll().where('latest_certificate_id', '=', certificateId).executeTakeFirstOrThrow();
    expect(renewal).toMatchObject({ is_active: true, acme_account_id: accountId });

    const again = await certledger(['--json', 'sites', 'deploy', siteId, name, '--tls', 'acme', '--account', accountId, '--challenge', 'dns-01'], env, 120_000);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ events: [], order_id: null, site: { current: { certificate_id: certificateId } } });
  }, 240_000);
});

