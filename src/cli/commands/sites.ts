import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, report, withStores, type GlobalOptions } from '../context.js';

type IssuerOptions = { account?: string; challenge?: 'http-01' | 'dns-01' };
const issuerOf = (o: IssuerOptions) => ({ ...(o.account ? { accountId: o.account } : {}), ...(o.challenge ? { challengeType: o.challenge } : {}) });

const siteLines = (site: { site_id: string; status: string; host_names: string[]; wish: { kind: string }; current: { kind: string; certificate_id?: string; not_after?: string }; stashed_certificates: { certificate_id: string; not_after: string }[] } | null) =>
  site === null ? ['absent'] : [
    `${site.site_id} ${site.status} ${site.host_names.join(',')}`,
    `wish ${site.wish.kind}; serves ${site.current.kind}${site.current.certificate_id ? ` ${site.current.certificate_id}` : ''}${site.current.not_after ? ` until ${site.current.not_after}` : ''}`,
    ...site.stashed_certificates.map((c) => `stashed ${c.certificate_id} until ${c.not_after}`),
  ];

async function readPem(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** certledger sites list | show | deploy | undeploy | backup | restore. */
export function sitesCommands(program: Command, globals: () => GlobalOptions): void {
  const sites = program.command('sites').description('sites: host names and a TLS wish (none, acme, own)');
  const load = async () => ({
    routes: await import('../../http/routes/sites.routes.js'),
    answers: await import('../../http/acme-order-answers.js'),
  });
  sites
    .command('list')
    .description('every site (from the sites read model), optionally those serving a host name')
    .option('--host <name>', 'only sites with this host name')
    .action(async (o: { host?: string }) => {
      const options = globals();
      const { sql } = await import('kysely');
      const rows = await withStores(options, async (deps) => {
        let query = deps.db.selectFrom('sites').selectAll();
        if (o.host) query = query.where(sql<boolean>`host_names @> ${JSON.stringify([o.host.toLowerCase()])}::jsonb`);
        return query.orderBy('site_id').execute();
      });
      const items = rows.map((r) => ({
        site_id: r.site_id, status: r.status, host_names: r.host_names, wish_kind: r.wish.kind, current_kind: r.current_kind,
        current_certificate_id: r.current_certificate_id, stashed_certificate_ids: r.stash.map((c) => c.certificateId),
      }));
      report(options, { items, total: items.length }, () => items.map((i) => `${i.site_id} ${i.status} ${i.host_names.join(',')} serves ${i.current_kind}${i.stashed_certificate_ids.length ? ` (${i.stashed_certificate_ids.length} stashed)` : ''}`));
    });
  sites
    .command('show')
    .description('a site, its certificate and its stashed certificates')
    .argument('<site-id>')
    .action(async (siteId: string) => {
      const options = globals();
      const [{ routes }, { loadSite }] = await Promise.all([load(), import('../../commands/site/stream.js')]);
      const site = await withStores(options, async (deps) => routes.siteJson(await loadSite(deps.store, siteId)));
      if (!site) throw new CliError(`site ${siteId} not found`);
      report(options, site, () => siteLines(site));
    });
  sites
    .command('deploy')
    .description('deploy or redeploy a site: tls none, acme (an ACME certificate is obtained now if none can be reused) or own (--cert/--key)')
    .argument('<site-id>')
    .argument('<host-name...>')
    .option('--tls <kind>', 'none | acme | own', 'acme')
    .option('--cert <file>', 'PEM certificate: the site\'s own (tls own), or one to consider for acme (used if it ends later)')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--chain <file>', 'PEM chain of --cert, issuer first (default: built from known CA certificates)')
    .option('--account <id>', 'ACME account id (default: the global policy)')
    .option('--challenge <type>', 'http-01 | dns-01')
    .action(async (siteId: string, hostNames: string[], o: IssuerOptions & { tls: string; cert?: string; key?: string; chain?: string }) => {
      const options = globals();
      if ((o.cert === undefined) !== (o.key === undefined)) throw new CliError('--cert and --key go together');
      if (o.chain !== undefined && o.cert === undefined) throw new CliError('--chain needs --cert and --key');
      const certificate = o.cert && o.key
        ? { cert_pem: await readPem(o.cert), key_pem: await readPem(o.key), ...(o.chain ? { chain_pem: await readPem(o.chain) } : {}) }
        : undefined;
      const [{ routes, answers }, { parseOrThrow }] = await Promise.all([load(), import('../../http/schemas/certificate.schema.js')]);
      // The API's own checks, so both name the same fields.
      const body = parseOrThrow(routes.deployBody, {
        host_names: hostNames, tls: o.tls, certificate,
        ...(o.account ? { acme_account_id: o.account } : {}), ...(o.challenge ? { challenge_type: o.challenge } : {}),
      });
      const id = routes.checkedSiteId(siteId);
      const outcome = await withStores(options, (deps) => routes.deployFromBody(answers.orderDepsOf(deps), id, body, 'cli'));
      const site = routes.siteJson(outcome.state);
      report(options, { site, events: outcome.events.map((e) => e.type), tls_failure: outcome.tlsFailure, order_id: outcome.orderId },
        () => [...siteLines(site), ...(outcome.tlsFailure ? [`without TLS: ${outcome.tlsFailure}`] : [])]);
    });
  sites
    .command('undeploy')
    .description('undeploy a site (its ACME certificate is stashed, no longer renewed)')
    .argument('<site-id>')
    .action(async (siteId: string) => {
      const options = globals();
      const [{ routes, answers }, { undeploySite }] = await Promise.all([load(), import('../../commands/site/undeploy.js')]);
      const outcome = await withStores(options, (deps) => undeploySite(answers.orderDepsOf(deps), siteId, {}, { actor: 'cli' }));
      const site = routes.siteJson(outcome.state);
      report(options, { site, events: outcome.events.map((e) => e.type) }, () => siteLines(site));
    });
  sites
    .command('backup')
    .description('the site description with its certificate and key (JSON), to a file (mode 0600) or stdout')
    .argument('<site-id>')
    .option('-o, --out <file>', 'write to this file (mode 0600) instead of stdout')
    .action(async (siteId: string, o: { out?: string }) => {
      const options = globals();
      const [{ routes, answers }, { backUpSite }] = await Promise.all([load(), import('../../commands/site/backup.js')]);
      const description = routes.descriptionJson(await withStores(options, (deps) => backUpSite(answers.orderDepsOf(deps), siteId, { actor: 'cli' })));
      const text = `${JSON.stringify(description, null, 2)}\n`;
      if (!o.out) {
        process.stdout.write(text);
        return;
      }
      await writeFile(o.out, text, { mode: 0o600 });
      await chmod(o.out, 0o600);
      report(options, { file: o.out, site_id: siteId }, () => [`wrote ${o.out}`]);
    });
  sites
    .command('restore')
    .description('restore a site from a description written by backup')
    .argument('<file>')
    .option('--account <id>', 'ACME account id (default: the global policy)')
    .option('--challenge <type>', 'http-01 | dns-01')
    .action(async (file: string, o: IssuerOptions) => {
      const options = globals();
      const [{ routes, answers }, { restoreSite }, { parseOrThrow }] = await Promise.all([
        load(), import('../../commands/site/restore.js'), import('../../http/schemas/certificate.schema.js'),
      ]);
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const description = routes.descriptionFrom(parseOrThrow(routes.restoreBody, raw));
      const outcome = await withStores(options, (deps) => restoreSite(answers.orderDepsOf(deps), description, issuerOf(o), { actor: 'cli' }));
      const site = routes.siteJson(outcome.state);
      report(options, { site, events: outcome.events.map((e) => e.type), tls_failure: outcome.tlsFailure, order_id: outcome.orderId }, () => siteLines(site));
    });
}
