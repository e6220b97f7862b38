/**
 * `certledger import certbot` on a real certbot tree (Debian's certbot against the run's Pebble),
 * as an operator runs it: a child process on a PostgreSQL test database, the test's stack (same
 * master key) projecting. Every lineage, version, key and account is checked against the files.
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importCertbotTree, type CertbotImportReport } from '../../src/commands/certbot-import/import-certbot.js';
import type { LineageReport } from '../../src/commands/certbot-import/lineage.js';
import { readCertbotTree } from '../../src/infra/certbot/read-tree.js';
import { json, startTestStack, type TestStack } from '../support/app.js';
import { createCa } from '../support/pki.js';
import { buildCertbotTree, type CertbotTreeFixture } from './certbot-tree.js';

const exec = promisify(execFile);
/** The --json report as printed (bigints as strings). */
type PrintedReport = Omit<CertbotImportReport, 'position'> & { position: string };
const BIN = resolve(import.meta.dirname, '../../bin/certledger.mjs');
const pebble = inject('pebble');

type Result = { code: number; stdout: string; stderr: string };
async function certledger(args: string[], env: Record<string, string>): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const fingerprint = (pem: string | Buffer) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
const pemBlocks = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
const pkcs8 = (pem: string | Buffer) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
/** RFC 7638 thumbprint of a JWK's public part, computed here independently of the code under test. */
function thumbprint(jwk: Record<string, string>): string {
  const pub = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' }) as Record<string, string>;
  const members = pub.kty === 'RSA' ? { e: pub.e, kty: 'RSA', n: pub.n } : { crv: pub.crv, kty: 'EC', x: pub.x, y: pub.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

let work: string;
let tree: CertbotTreeFixture;
let stack: TestStack;
let env: Record<string, string>;
const masterKey = randomBytes(32);
const tag = randomBytes(4).toString('hex');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'certledger-certbot-'));
  tree = await buildCertbotTree(work, pebble, tag);
  stack = await startTestStack('postgres', { pebble, masterKey });
  const url = (stack.handle.pool!.options as { connectionString: string }).connectionString;
  env = { DATABASE_URL: url, CERTLEDGER_MASTER_KEY: masterKey.toString('hex'), REQUESTS_CA_BUNDLE: tree.caFile };
}, 240_000);
afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const file = (path: string) => readFile(join(tree.root, path), 'utf8');

describe('certledger import certbot', () => {
  let report: PrintedReport;

  it('imports every account, version, key and renewal configuration, checked against the files', async () => {
    const result = await certledger(['--json', 'import', 'certbot', tree.root], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    report = JSON.parse(result.stdout) as PrintedReport;
    expect(report).toMatchObject({ skipped: 0, certificates: 4, new: { acmeServers: 0, accounts: 2, certificates: 4, renewalConfigurations: 3 } });
    await stack.deps.projections.waitFor(BigInt(report.position));
    const db = stack.deps.db;

    const accountIds: Record<string, string> = {};
    for (const certbotId of Object.values(tree.accounts)) {
      const folder = `accounts/${new URL(pebble.directoryUrl).host}${new URL(pebble.directoryUrl).pathname}/${certbotId}`;
      const regr = JSON.parse(await file(`${folder}/regr.json`));
      const jwk = JSON.parse(await file(`${folder}/private_key.json`));
      const entry = report.accounts.find((a) => a.certbotId === certbotId)!;
      expect(entry).toMatchObject({ status: 'imported', created: true, accountUrl: regr.uri, certbotAccountUrl: regr.uri });
      const row = await db.selectFrom('acme_accounts').selectAll().where('id', '=', entry.acmeAccountId!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ acme_server_id: stack.acmeServerId, status: 'valid', account_url: regr.uri, key_source: 'uploaded_certbot', key_jwk_thumbprint: thumbprint(jwk) });
      accountIds[certbotId] = row.id;
    }

    for (const lineage of tree.lineages) {
      const entry = report.lineages.find((l) => l.name === lineage.name)!;
      expect(entry.status).toBe('imported');
      expect(entry.versions.map((v) => v.version)).toEqual(Array.from({ length: lineage.versions }, (_, i) => i + 1));
      for (const version of entry.versions) {
        const n = version.version;
        const [cert, chain, privkey] = await Promise.all([file(`archive/${lineage.name}/cert${n}.pem`), file(`archive/${lineage.name}/chain${n}.pem`), file(`archive/${lineage.name}/privkey${n}.pem`)]);
        const latest = n === lineage.versions;
        const row = await db.selectFrom('certificates').selectAll().where('id', '=', version.certificateId).executeTakeFirstOrThrow();
        expect(row.fingerprint_sha256).toBe(fingerprint(cert));
        expect(row.spki_sha256).toBe(sha256(createPublicKey(privkey).export({ type: 'spki', format: 'der' })));
        expect(row.key_technology).toBe(lineage.keyType === 'rsa' ? 'RSA_2048' : 'EC_P256');
        expect(row.is_active).toBe(latest);
        if (!latest) expect(row.deactivation_reason).toMatch(/^superseded by version 2 of certbot lineage renewed/);
        expect(row.private_key_id).toBe(version.privateKeyId);
        expect((await stack.deps.vault.get(version.privateKeyId)).equals(pkcs8(privkey))).toBe(true);
        const link = await db.selectFrom('certificate_chains').innerJoin('ca_chains', 'ca_chains.id', 'certificate_chains.ca_chain_id')
          .select(['ca_chains.ca_certificate_ids']).where('certificate_id', '=', version.certificateId).where('is_default', '=', true).executeTakeFirstOrThrow();
        const caFingerprints = await Promise.all((link.ca_certificate_ids as string[]).map(async (id) =>
          (await db.selectFrom('ca_certificates').select('fingerprint_sha256').where('id', '=', id).executeTakeFirstOrThrow()).fingerprint_sha256));
        expect(caFingerprints).toEqual(pemBlocks(chain).map(fingerprint));
      }
      // live/ is what certbot serves: the same certificate and key are what certledger serves for the names.
      const served = await json(await fetch(`${stack.admin.url}/.well-known/peter_sslers/domain/${lineage.names[0]}/config.json`));
      const c = served[lineage.names.length > 1 ? 'certificate_signed__latest_multi' : 'certificate_signed__latest_single'];
      expect(fingerprint(c.certificate.pem)).toBe(fingerprint(await file(`live/${lineage.name}/cert.pem`)));
      expect(pkcs8(c.private_key.pem).equals(pkcs8(await file(`live/${lineage.name}/privkey.pem`)))).toBe(true);

      expect(entry.renewal).toMatchObject({ status: 'created', challengeType: 'dns-01' });
      const configurationId = entry.renewal && 'configurationId' in entry.renewal ? entry.renewal.configurationId : '';
      const renewal = await db.selectFrom('renewal_configurations').selectAll().where('id', '=', configurationId).executeTakeFirstOrThrow();
      expect(renewal).toMatchObject({
        acme_account_id: accountIds[tree.accounts[lineage.account]], key_technology: lineage.keyType === 'rsa' ? 'RSA_2048' : 'EC_P256',
        key_policy: 'single_use', is_active: true, latest_certificate_id: entry.versions.at(-1)!.certificateId,
      });
      expect([...renewal.domain_names].sort()).toEqual([...lineage.names].sort());
      expect(renewal.identifiers.map((i) => i.challenge_type)).toEqual(lineage.names.map(() => 'dns-01'));
    }
    console.log(`certbot import: ${report.certificates} certificates (${tree.lineages.length} lineages, 2 accounts) in ${report.elapsedMs} ms = ${report.certificatesPerSecond} certificates/s; certbot itself took ${tree.secondsPerCertificate.toFixed(2)} s per certificate`);
  }, 120_000);

  it('imports nothing new the second time (not one event) and says so', async () => {
    const head = await stack.deps.store.headPosition();
    const again = await certledger(['--json', 'import', 'certbot', tree.root], env);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as PrintedReport;
    expect(second).toMatchObject({ skipped: 0, certificates: 4, new: { acmeServers: 0, accounts: 0, certificates: 0, renewalConfigurations: 0 } });
    expect(second.lineages.map((l) => l.renewal?.status)).toEqual(['existing', 'existing', 'existing']);
    expect(await stack.deps.store.headPosition()).toBe(head);
    const text = await certledger(['import', 'certbot', tree.root], env);
    expect(text.stdout).toMatch(/new: 0 ACME servers, 0 accounts, 0 certificates, 0 renewal configurations; 0 skipped; 4 certificates in \d+ ms\n$/);
  }, 60_000);

  it('reports and skips a broken lineage (missing file, key of another certificate); the rest is imported; exit 3', async () => {
    const broken = join(work, 'broken');
    await cp(tree.root, broken, { recursive: true, verbatimSymlinks: true });
    await rm(join(broken, 'archive/renewed/privkey1.pem'));
    await cp(join(broken, 'archive/ecdsa-b/privkey1.pem'), join(broken, 'archive/rsa-multi/privkey1.pem'));

    const cli = await certledger(['--json', 'import', 'certbot', broken], env);
    expect(cli.code).toBe(3);
    const viaCli = JSON.parse(cli.stdout) as PrintedReport;
    expect(viaCli.skipped).toBe(2);

    // In-process on a fresh PGlite catalog: the healthy lineage really is imported.
    const fresh = await startTestStack('pglite', { pebble });
    try {
      const result = await importCertbotTree(fresh.deps, await readCertbotTree(broken), { caBundlePem: pebble.caPem });
      for (const r of [result, viaCli]) {
        const byName: Record<string, LineageReport> = Object.fromEntries(r.lineages.map((l) => [l.name, l]));
        expect(byName['rsa-multi']).toMatchObject({ status: 'skipped', problem: 'archive/rsa-multi/privkey1.pem: does not match the certificate', versions: [] });
        expect(byName.renewed).toMatchObject({ status: 'skipped', problem: 'missing archive/renewed/privkey1.pem', versions: [] });
        expect(byName['ecdsa-b']).toMatchObject({ status: 'imported', renewal: { status: expect.stringMatching(/created|existing/) } });
      }
      expect(result.new).toEqual({ acmeServers: 0, accounts: 2, certificates: 1, renewalConfigurations: 1 });
      await fresh.deps.projections.waitFor(result.position);
      const rows = await fresh.deps.db.selectFrom('certificates').select(['fingerprint_sha256', 'is_active']).execute();
      expect(rows).toEqual([{ fingerprint_sha256: fingerprint(await file('archive/ecdsa-b/cert1.pem')), is_active: true }]);
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('fails with one line on a folder that is not certbot\'s, and documents the commands', async () => {
    const missing = await certledger(['import', 'certbot', join(work, 'nope')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`certledger: ${join(work, 'nope')} is not a directory\n`);
    for (const args of [['import', '--help'], ['import', 'certbot', '--help'], ['import', 'cert', '--help'], ['import', 'ca', '--help'], ['import', 'account', '--help']]) {
      const help = await certledger(args, {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: certledger import/);
    }
  }, 60_000);
});

describe('certledger import cert | ca | account', () => {
  it('imports a certificate with its key and chain; a key of another certificate is refused naming --key', async () => {
    const [cert, chain] = ['archive/rsa-multi/cert1.pem', 'archive/rsa-multi/chain1.pem'].map((p) => join(tree.root, p));
    const known = await certledger(['--json', 'import', 'cert', '--cert', cert!, '--key', join(tree.root, 'archive/rsa-multi/privkey1.pem'), '--chain', chain!], env);
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout)).toMatchObject({ created: false, domainNames: [...tree.lineages[0]!.names].sort() });
    const wrong = await certledger(['import', 'cert', '--cert', cert!, '--key', join(tree.root, 'archive/ecdsa-b/privkey1.pem')], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('certledger: --key: does not match the certificate\n');
  }, 60_000);

  it('imports a CA certificate (new) and a known chain (no-op)', async () => {
    const ca = await createCa({ name: `cli import ${tag}` });
    const caFile = join(work, 'new-ca.pem');
    await import('node:fs/promises').then((fs) => fs.writeFile(caFile, ca.certPem));
    const fresh = await certledger(['--json', 'import', 'ca', caFile], env);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ created: true, caCertificateIds: [expect.any(String)] });
    const chain = await certledger(['--json', 'import', 'ca', join(tree.root, 'archive/rsa-multi/chain1.pem')], env);
    expect(chain.code).toBe(0);
    expect(JSON.parse(chain.stdout)).toMatchObject({ created: false });
  }, 60_000);

  it('imports an account key (certbot JWK) and checks the account URL the CA answers', async () => {
    const folder = join(tree.root, 'accounts', `${new URL(pebble.directoryUrl).host}${new URL(pebble.directoryUrl).pathname}`, tree.accounts.a);
    const regr = JSON.parse(await readFile(join(folder, 'regr.json'), 'utf8'));
    const ok = await certledger(['--json', 'import', 'account', '--server', pebble.directoryUrl, '--key', join(folder, 'private_key.json'), '--url', regr.uri], env);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ created: false, accountUrl: regr.uri, acmeServerId: stack.acmeServerId });
    const wrongUrl = await certledger(['import', 'account', '--server', pebble.directoryUrl, '--key', join(folder, 'private_key.json'), '--url', `${regr.uri}0`], env);
    expect(wrongUrl.code).toBe(1);
    expect(wrongUrl.stderr).toBe(`certledger: --url: the CA knows this key as ${regr.uri}, not ${regr.uri}0\n`);
  }, 60_000);
});
