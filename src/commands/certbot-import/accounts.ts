/**
 * certbot's accounts, each with its ACME server: the server is registered by its directory URL
 * (the renewal files' `server`, or the folder path under accounts/), then the account is uploaded
 * with the same command as POST /api/v1/acme-accounts/upload (newAccount finds it at the CA).
 */
import { DEFAULT_ORDER_DEFAULTS } from '../../domain/acme-account/defaults.js';
import { CertledgerError, ValidationError } from '../../domain/shared/errors.js';
import { AcmeProblem, AcmeTransportError, UnsupportedAccountKeyError } from '../../infra/acme/index.js';
import type { CertbotTree } from '../../infra/certbot/read-tree.js';
import { acmeAccountIdFor, createAcmeAccount } from '../acme-account/create-acme-account.js';
import type { AcmeCommandDeps } from '../acme-account/deps.js';
import { loadAcmeAccountState } from '../acme-account/load.js';
import { accountFromCertbot, type CertbotAccount } from '../acme-account/upload-key.js';
import { registerAcmeServer } from '../acme-server/register-acme-server.js';
import type { CommandContext } from '../handle.js';
import { directoryUrlOfServerPath, renewalParam, serverPathOfDirectoryUrl } from './renewal-params.js';

export type AccountReport = {
  certbotId: string;
  path: string;
  directoryUrl: string;
  status: 'imported' | 'skipped';
  acmeServerId?: string;
  acmeAccountId?: string;
  /** What the CA answered to newAccount with this key. */
  accountUrl?: string;
  /** regr.json's `uri`: what certbot recorded. */
  certbotAccountUrl?: string | null;
  created?: boolean;
  problem?: string;
};

export type ImportedAccounts = {
  reports: AccountReport[];
  /** `<server path>/<certbot id>` → certledger account id, for the renewal files' `account`. */
  byCertbotKey: Map<string, string>;
  newServers: number;
  newAccounts: number;
};

/** One line for a report; field problems name the file they are about. */
export function problemOf(error: unknown, also: readonly (abstract new (...args: never[]) => Error)[] = []): string {
  if (error instanceof ValidationError) return Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`).join('; ') || error.message;
  if (error instanceof CertledgerError || also.some((type) => error instanceof type)) return (error as Error).message.split('\n')[0]!;
  // Anything else (the database gone…) is not about this folder: it stops the import.
  throw error;
}

/** A CA that refuses or cannot be reached spoils one account, not the import. */
const ACME_ERRORS = [AcmeProblem, AcmeTransportError, UnsupportedAccountKeyError];

export const accountKey = (serverPath: string, certbotId: string) => `${serverPath}/${certbotId}`;

/** The renewal files say the exact directory URL (scheme, port, trailing slash); the folder path is the fallback. */
function directoryUrls(tree: CertbotTree): Map<string, string> {
  const byServerPath = new Map<string, string>();
  for (const lineage of tree.lineages) {
    const server = lineage.renewal ? renewalParam(lineage.renewal, 'server') : undefined;
    if (!server || !URL.canParse(server)) continue;
    byServerPath.set(serverPathOfDirectoryUrl(server), server);
  }
  return byServerPath;
}

export async function importCertbotAccounts(
  deps: AcmeCommandDeps,
  tree: CertbotTree,
  options: { caBundlePem: string | null; onAccount?: () => void },
  context: CommandContext,
): Promise<ImportedAccounts> {
  const urls = directoryUrls(tree);
  const servers = new Map<string, Promise<{ acmeServerId: string; created: boolean }>>();
  const result: ImportedAccounts = { reports: [], byCertbotKey: new Map(), newServers: 0, newAccounts: 0 };
  for (const folder of tree.accounts) {
    const directoryUrl = urls.get(folder.serverPath) ?? directoryUrlOfServerPath(folder.serverPath);
    const report: AccountReport = { certbotId: folder.id, path: folder.path, directoryUrl, status: 'skipped' };
    try {
      const certbot = await accountFromCertbot(
        { privateKey: folder.privateKey, ...(folder.regr === undefined ? {} : { regr: folder.regr }), ...(folder.meta === undefined ? {} : { meta: folder.meta }) },
        { privateKey: `${folder.path}/private_key.json`, regr: `${folder.path}/regr.json`, meta: `${folder.path}/meta.json` },
      );
      const known = await loadAcmeAccountState(deps.store, acmeAccountIdFor(certbot.key.facts.keyId));
      if (known.status === 'valid' && known.accountUrl !== null) {
        // Imported before and registered: neither the ACME server nor the CA is asked again.
        Object.assign(report, {
          status: 'imported', acmeServerId: known.acmeServerId, acmeAccountId: known.acmeAccountId, accountUrl: known.accountUrl, certbotAccountUrl: certbot.accountUrl, created: false,
        });
      } else {
        let server = servers.get(directoryUrl);
        if (!server) {
          server = registerAcmeServer(deps, { directoryUrl, caBundlePem: options.caBundlePem }, context);
          servers.set(directoryUrl, server);
          if ((await server).created) result.newServers++;
        }
        Object.assign(report, await importAccount(deps, certbot, (await server).acmeServerId, context));
      }
      if (report.created) result.newAccounts++;
      result.byCertbotKey.set(accountKey(folder.serverPath, folder.id), report.acmeAccountId!);
    } catch (error) {
      report.problem = problemOf(error, ACME_ERRORS);
    }
    result.reports.push(report);
    options.onAccount?.();
  }
  return result;
}

/** The upload command (claim the key, record the account, newAccount at the CA: it answers the existing account). */
async function importAccount(deps: AcmeCommandDeps, certbot: CertbotAccount, acmeServerId: string, context: CommandContext) {
  const created = await createAcmeAccount(deps, {
    acmeServerId, key: { prepared: certbot.key }, contact: certbot.contact, orderDefaults: DEFAULT_ORDER_DEFAULTS,
  }, context);
  return {
    status: 'imported' as const,
    acmeServerId,
    acmeAccountId: created.acmeAccountId,
    accountUrl: created.registration.accountUrl,
    certbotAccountUrl: certbot.accountUrl,
    created: created.created,
  };
}
