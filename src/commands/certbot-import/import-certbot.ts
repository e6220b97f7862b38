/**
 * `certledger import certbot <dir>`: accounts (with their ACME servers), every lineage's versions
 * and a renewal configuration per lineage whose account is known. Every id is derived from the
 * object (key, fingerprint, lineage), so importing the same tree again records nothing new.
 * A broken lineage or account is reported and skipped; the rest is imported.
 */
import { performance } from 'node:perf_hooks';
import type { CertbotTree } from '../../infra/certbot/read-tree.js';
import type { AcmeCommandDeps } from '../acme-account/deps.js';
import type { CommandContext } from '../handle.js';
import { importCertbotAccounts, type AccountReport } from './accounts.js';
import { importLineage, type LineageDeps, type LineageReport } from './lineage.js';

export type CertbotImportDeps = LineageDeps & AcmeCommandDeps;

export type CertbotImportReport = {
  root: string;
  accounts: AccountReport[];
  lineages: LineageReport[];
  /** What this run added; all zero when the tree was imported before. */
  new: { acmeServers: number; accounts: number; certificates: number; renewalConfigurations: number };
  /** Accounts, lineages and renewal configurations reported and skipped: non-zero means the import is incomplete. */
  skipped: number;
  certificates: number;
  elapsedMs: number;
  certificatesPerSecond: number;
  /** Newest global position written: wait for it to read the catalog. */
  position: bigint;
};

export type CertbotImportOptions = {
  /** PEM bundle to trust for the ACME servers (a private CA, Pebble); the system store otherwise. */
  caBundlePem?: string | null;
  onProgress?: (done: number, total: number) => void;
};

export async function importCertbotTree(
  deps: CertbotImportDeps,
  tree: CertbotTree,
  options: CertbotImportOptions = {},
  context: CommandContext = {},
): Promise<CertbotImportReport> {
  const started = performance.now();
  const ctx: CommandContext = { actor: 'certbot-import', ...context };
  const total = tree.accounts.length + tree.lineages.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  const accounts = await importCertbotAccounts(deps, tree, { caBundlePem: options.caBundlePem ?? null, onAccount: step }, ctx);

  const lineages: LineageReport[] = [];
  let position = 0n;
  for (const lineage of tree.lineages) {
    const imported = await importLineage(deps, tree, lineage, accounts.byCertbotKey, ctx);
    lineages.push(imported.report);
    if (imported.position > position) position = imported.position;
    step();
  }
  const versions = lineages.flatMap((l) => l.versions);
  const elapsedMs = Math.round(performance.now() - started);
  return {
    root: tree.root,
    accounts: accounts.reports,
    lineages,
    new: {
      acmeServers: accounts.newServers,
      accounts: accounts.newAccounts,
      certificates: versions.filter((v) => v.created).length,
      renewalConfigurations: lineages.filter((l) => l.renewal?.status === 'created').length,
    },
    skipped: accounts.reports.filter((a) => a.status === 'skipped').length + lineages.filter((l) => l.status === 'skipped' || l.renewal?.status === 'failed').length,
    certificates: versions.length,
    elapsedMs,
    certificatesPerSecond: elapsedMs === 0 ? versions.length : Math.round((versions.length / elapsedMs) * 1000 * 10) / 10,
    position,
  };
}
