/**
 * A real certbot configuration directory, made by Debian's certbot against the run's Pebble:
 * dns-01 through pebble-challtestsrv (a hook sets the TXT record), so no http-01 port is shared.
 * Two accounts (the second registered in a scratch folder, then named with --account), an RSA
 * lineage with two names, an ECDSA lineage on the second account, and one lineage renewed once.
 */
import { execFile } from 'node:child_process';
import { access, constants, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { PebbleCoordinates } from '../support/pebble.js';

const run = promisify(execFile);

export type CertbotTreeFixture = {
  root: string;
  caFile: string;
  accounts: { a: string; b: string };
  lineages: { name: string; names: string[]; keyType: 'rsa' | 'ecdsa'; account: 'a' | 'b'; versions: number }[];
  /** Seconds per certbot issuance, measured. */
  secondsPerCertificate: number;
};

const HOOK = `const [action] = process.argv.slice(2);
const host = '_acme-challenge.' + process.env.CERTBOT_DOMAIN + '.';
const body = action === 'set' ? { host, value: process.env.CERTBOT_VALIDATION } : { host };
const res = await fetch(process.env.CERTLEDGER_CHALLTESTSRV + '/' + action + '-txt', { method: 'POST', body: JSON.stringify(body) });
if (!res.ok) { console.error(await res.text()); process.exit(1); }
`;

export async function assertCertbotInstalled(): Promise<void> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (await access(join(dir, 'certbot'), constants.X_OK).then(() => true, () => false)) return;
  }
  throw new Error(`The certbot import tests need Debian's certbot, not on PATH. ${process.env.CI === 'true' ? 'CI=true: .ci/run installs it — did that step run?' : 'Install it: apt-get install -y certbot.'}`);
}

export async function buildCertbotTree(work: string, pebble: PebbleCoordinates, tag: string): Promise<CertbotTreeFixture> {
  await assertCertbotInstalled();
  const caFile = join(work, 'pebble-ca.pem');
  const hook = join(work, 'dns-hook.mjs');
  await writeFile(caFile, pebble.caPem);
  await writeFile(hook, HOOK);
  const env = { ...process.env, REQUESTS_CA_BUNDLE: caFile, CERTLEDGER_CHALLTESTSRV: pebble.challtestsrvUrl };
  const dirs = (config: string) => ['--config-dir', join(work, config), '--work-dir', join(work, `${config}-work`), '--logs-dir', join(work, `${config}-logs`)];
  // certbot is the fixture's maker, not what is tested: one of its own rare crashes ("AttributeError: can't set
  // attribute", seen once in a CI run) is retried once; a second failure fails the test.
  const certbot = (config: string, args: string[]) => run('certbot', [...args, '-n', '--server', pebble.directoryUrl, ...dirs(config)], { env, timeout: 120_000 })
    .catch((error: { stdout?: string; stderr?: string }) => {
      if (!/An unexpected error occurred/.test(`${error.stdout ?? ''}${error.stderr ?? ''}`)) throw error;
      return run('certbot', [...args, '-n', '--server', pebble.directoryUrl, ...dirs(config)], { env, timeout: 120_000 });
    });
  const dns = ['--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', `${process.execPath} ${hook} set`, '--manual-cleanup-hook', `${process.execPath} ${hook} clear`];
  const serverFolder = join(new URL(pebble.directoryUrl).host, new URL(pebble.directoryUrl).pathname);
  const accountsOf = async (config: string) => readdir(join(work, config, 'accounts', serverFolder));

  const lineages: CertbotTreeFixture['lineages'] = [
    { name: 'rsa-multi', names: [`a-${tag}.certbot.test`, `www.a-${tag}.certbot.test`], keyType: 'rsa', account: 'a', versions: 1 },
    { name: 'ecdsa-b', names: [`b-${tag}.certbot.test`], keyType: 'ecdsa', account: 'b', versions: 1 },
    { name: 'renewed', names: [`c-${tag}.certbot.test`], keyType: 'ecdsa', account: 'a', versions: 2 },
  ];
  const started = Date.now();
  const certonly = (lineage: (typeof lineages)[number], extra: string[]) => certbot('config', [
    'certonly', '--agree-tos', ...(extra.length === 0 ? ['-m', 'a@example.test'] : []), ...dns, '--key-type', lineage.keyType,
    '--cert-name', lineage.name, ...lineage.names.flatMap((n) => ['-d', n]), ...extra,
  ]);
  await certonly(lineages[0]!, []);
  const [a] = await accountsOf('config');
  // certbot refuses a second `register` in one folder: register in a scratch one, move the account in, name it.
  await certbot('scratch', ['register', '--agree-tos', '-m', 'b@example.test']);
  const [b] = await accountsOf('scratch');
  await mkdir(join(work, 'config', 'accounts', serverFolder), { recursive: true });
  await cp(join(work, 'scratch', 'accounts', serverFolder, b!), join(work, 'config', 'accounts', serverFolder, b!), { recursive: true });
  await certonly(lineages[1]!, ['--account', b!]);
  await certonly(lineages[2]!, ['--account', a!]);
  await certbot('config', ['renew', '--force-renewal', '--no-random-sleep-on-renew', '--cert-name', 'renewed', '--account', a!]);
  const secondsPerCertificate = (Date.now() - started) / 1000 / 4;
  return { root: join(work, 'config'), caFile, accounts: { a: a!, b: b! }, lineages, secondsPerCertificate };
}
