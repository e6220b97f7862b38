import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AppDeps } from '../../http/app-deps.js';
import type { Config } from '../../infra/config.js';
import { CliError, progress, report, withStores, type GlobalOptions } from '../context.js';

/** A command's refusal (bad input, unknown server…) as the CLI's one line. */
async function refusals<T>(work: () => Promise<T>): Promise<T> {
  const { CertledgerError, ValidationError } = await import('../../domain/shared/errors.js');
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`).join('; ') || error.message);
    if (error instanceof CertledgerError) throw new CliError(error.message);
    throw error;
  }
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** certbot's own convention for a private CA (Pebble, a lab CA): REQUESTS_CA_BUNDLE. */
const caBundle = async (path: string | undefined) => {
  const file = path ?? process.env.REQUESTS_CA_BUNDLE;
  return file ? (await readInput(file, 'CA bundle')).toString('utf8') : null;
};

/** On the embedded folder the CLI projects itself: finish before the folder is closed. On PostgreSQL the server's projector does it. */
async function settled(deps: AppDeps, config: Config, position: bigint | null) {
  if (!config.databaseUrl && position !== null && position > 0n) await deps.projections.waitFor(position, { timeoutMs: 120_000 });
}

const CONTEXT = { actor: 'cli' };

export function importCommands(program: Command, globals: () => GlobalOptions, setExitCode: (code: number) => void): void {
  const command = program.command('import').description('bring existing certificates, CA certificates and ACME accounts into certledger');

  command
    .command('certbot <dir>')
    .description('import a certbot configuration directory (/etc/letsencrypt): accounts, every certificate version, renewal configurations; exit 3 when something was skipped')
    .option('--ca-bundle <file>', 'PEM to trust for the ACME servers (default: $REQUESTS_CA_BUNDLE, else the system store)')
    .action(async (dir: string, values: { caBundle?: string }) => {
      const options = globals();
      const [{ readCertbotTree, CertbotTreeError }, { importCertbotTree }] = await Promise.all([
        import('../../infra/certbot/read-tree.js'),
        import('../../commands/certbot-import/import-certbot.js'),
      ]);
      const caBundlePem = await caBundle(values.caBundle);
      let tree;
      try {
        tree = await readCertbotTree(dir);
      } catch (error) {
        if (error instanceof CertbotTreeError) throw new CliError(error.message);
        throw error;
      }
      const result = await withStores(options, async (deps, config) => {
        const bar = progress(options, 'importing', tree.accounts.length + tree.lineages.length);
        try {
          const imported = await importCertbotTree(deps, tree, { caBundlePem, onProgress: (done) => bar.update(done) }, CONTEXT);
          await settled(deps, config, imported.position);
          return imported;
        } finally {
          bar.stop();
        }
      });
      report(options, result, () => [
        ...result.accounts.map((a) => a.status === 'imported'
          ? `account ${a.certbotId} (${a.directoryUrl}): ${a.created ? 'imported' : 'known'} as ${a.acmeAccountId}`
          : `account ${a.certbotId}: skipped: ${a.problem}`),
        ...result.lineages.map((l) => l.status === 'imported'
          ? `lineage ${l.name}: ${l.versions.length} version(s), ${l.versions.filter((v) => v.created).length} new; renewal ${l.renewal?.status}${l.renewal && 'reason' in l.renewal ? ` (${l.renewal.reason})` : ''}`
          : `lineage ${l.name}: skipped: ${l.problem}`),
        `new: ${result.new.acmeServers} ACME servers, ${result.new.accounts} accounts, ${result.new.certificates} certificates, ${result.new.renewalConfigurations} renewal configurations; ${result.skipped} skipped; ${result.certificates} certificates in ${result.elapsedMs} ms`,
      ]);
      if (result.skipped > 0) setExitCode(3);
    });

  command
    .command('cert')
    .description('import a certificate with its private key and chain (without --chain: built from the known CA certificates)')
    .requiredOption('--cert <file>', 'the certificate (PEM or DER)')
    .requiredOption('--key <file>', 'its private key (PEM or DER)')
    .option('--chain <file>', 'the CA certificates, issuer first (chain.pem, not fullchain.pem)')
    .action(async (values: { cert: string; key: string; chain?: string }) => {
      const options = globals();
      const [certificate, privateKey, chain] = await Promise.all([
        readInput(values.cert, 'certificate'), readInput(values.key, 'private key'), values.chain ? readInput(values.chain, 'chain') : undefined,
      ]);
      const [{ parseCertificateBundle }, { buildChains }, { loadCaPool }, { importCertificate }] = await Promise.all([
        import('../../infra/x509/bundle.js'), import('../../infra/x509/chain-builder.js'),
        import('../../commands/ca-certificate/ca-pool.js'), import('../../commands/certificate/import-certificate.js'),
      ]);
      const result = await withStores(options, (deps, config) => refusals(async () => {
        const bundle = await parseCertificateBundle({ certificate, privateKey, chain }, { certificate: '--cert', privateKey: '--key', chain: '--chain' }, deps.now(), { chainOptional: true });
        const chains = bundle.chain.length > 0 ? [bundle.chain] : await buildChains(bundle.certificate, await loadCaPool(deps.db));
        if (chains.length === 0) throw new CliError('--chain: is required: no known CA certificate issues this certificate');
        const imported = await importCertificate(deps, { ...bundle, chains }, CONTEXT);
        await settled(deps, config, imported.position);
        return { ...imported, domainNames: bundle.certificate.domainNames, notAfter: bundle.certificate.notAfter };
      }));
      report(options, result, () => [`certificate ${result.certificateId} (${result.domainNames.join(', ')}) ${result.created ? 'imported' : 'was known'}; key ${result.privateKeyId}; chain ${result.caChainId}${result.isExpired ? '; expired' : ''}`]);
    });

  command
    .command('ca <file>')
    .description('import a CA certificate, or a chain of them (issuer of the leaf first) when the file holds several')
    .action(async (file: string) => {
      const options = globals();
      const input = await readInput(file, 'CA file');
      const [{ parseCaChain }, { importCaChain }] = await Promise.all([import('../../infra/x509/bundle.js'), import('../../commands/ca-chain/import-ca-chain.js')]);
      const result = await withStores(options, (deps, config) => refusals(async () => {
        const chain = await parseCaChain(input, file);
        const imported = await importCaChain(deps, chain, { source: 'upload' }, CONTEXT);
        await settled(deps, config, imported.position);
        return imported;
      }));
      report(options, result, () => [`${result.caCertificateIds.length} CA certificate(s) ${result.caCertificateIds.join(', ')}; chain ${result.caChainId} ${result.created ? 'imported' : 'was known'}`]);
    });

  command
    .command('account')
    .description('import an ACME account key (JWK as certbot keeps it, or PEM); the account is found at the CA with it')
    .requiredOption('--server <url>', 'the ACME directory URL (registered if new)')
    .requiredOption('--key <file>', 'the account key: private JWK (certbot private_key.json) or PEM')
    .option('--url <account url>', 'the account URL you expect the CA to answer (checked)')
    .option('--contact <email...>', 'contact addresses to record')
    .option('--ca-bundle <file>', 'PEM to trust for the ACME server (default: $REQUESTS_CA_BUNDLE, else the system store)')
    .action(async (values: { server: string; key: string; url?: string; contact?: string[]; caBundle?: string }) => {
      const options = globals();
      if (!URL.canParse(values.server)) throw new CliError(`--server: ${values.server} is not a URL`);
      const [key, caBundlePem] = await Promise.all([readInput(values.key, 'account key'), caBundle(values.caBundle)]);
      const [{ accountFromCertbot, accountKeyFromPem }, { registerAcmeServer }, { createAcmeAccount }, { DEFAULT_ORDER_DEFAULTS }] = await Promise.all([
        import('../../commands/acme-account/upload-key.js'), import('../../commands/acme-server/register-acme-server.js'),
        import('../../commands/acme-account/create-acme-account.js'), import('../../domain/acme-account/defaults.js'),
      ]);
      const result = await withStores(options, (deps, config) => refusals(async () => {
        const text = key.toString('utf8').trim();
        const certbot = text.startsWith('{') ? await accountFromCertbot({ privateKey: text }, { privateKey: '--key', regr: '--key', meta: '--key' }) : null;
        const prepared = certbot ? certbot.key : await accountKeyFromPem(key, '--key');
        const server = await registerAcmeServer(deps, { directoryUrl: values.server, caBundlePem }, CONTEXT);
        const created = await createAcmeAccount(deps, {
          acmeServerId: server.acmeServerId, key: { prepared }, contact: (values.contact ?? []).map((c) => (c.includes(':') ? c : `mailto:${c}`)), orderDefaults: DEFAULT_ORDER_DEFAULTS,
        }, CONTEXT);
        await settled(deps, config, created.registration.position);
        return { acmeServerId: server.acmeServerId, acmeAccountId: created.acmeAccountId, created: created.created, accountUrl: created.registration.accountUrl, status: created.registration.status };
      }));
      report(options, result, () => [`account ${result.acmeAccountId} ${result.created ? 'imported' : 'was known'}: ${result.accountUrl} (${result.status})`]);
      if (values.url !== undefined && values.url !== result.accountUrl) throw new CliError(`--url: the CA knows this key as ${result.accountUrl}, not ${values.url}`);
    });
}
