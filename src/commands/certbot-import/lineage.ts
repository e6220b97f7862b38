/**
 * One certbot lineage: every archived version checked first (files present, key matching the
 * certificate, chain signing it), so a broken lineage imports nothing; then each version with the
 * certificate upload's command, the older ones deactivated as superseded, and a renewal
 * configuration when its account was imported.
 */
import { join, relative } from 'node:path';
import { ValidationError } from '../../domain/shared/errors.js';
import type { CertbotLineage, CertbotTree } from '../../infra/certbot/read-tree.js';
import { deterministicId } from '../../infra/ids.js';
import { parseCertificateBundle, type CertificateBundle } from '../../infra/x509/bundle.js';
import { parseCertificates, X509ParseError } from '../../infra/x509/certificate.js';
import { importCertificate, type ImportCertificateDeps } from '../certificate/import-certificate.js';
import { deactivateCertificate } from '../certificate/deactivate-certificate.js';
import type { LifecycleDeps } from '../certificate/lifecycle.js';
import type { CommandContext } from '../handle.js';
import { createRenewalConfiguration } from '../renewal/create-renewal-configuration.js';
import type { RenewalConfigDeps } from '../renewal/deps.js';
import { accountKey, problemOf } from './accounts.js';
import { challengeTypeOf, identifiersOf, keyPolicyOf, keyTechnologyOf, renewalParam, serverPathOfDirectoryUrl } from './renewal-params.js';

export type VersionReport = {
  version: number;
  certificateId: string;
  privateKeyId: string;
  caChainId: string;
  fingerprintSha256: string;
  domainNames: string[];
  notBefore: string;
  notAfter: string;
  keyTechnology: string;
  /** Only certbot's current version stays active. */
  active: boolean;
  created: boolean;
};

export type RenewalReport =
  | { status: 'created' | 'existing'; configurationId: string; acmeAccountId: string; challengeType: string; keyTechnology: string }
  | { status: 'none' | 'failed'; reason: string };

export type LineageReport = {
  name: string;
  status: 'imported' | 'skipped';
  problem?: string;
  versions: VersionReport[];
  renewal?: RenewalReport;
};

export type LineageDeps = ImportCertificateDeps & LifecycleDeps & RenewalConfigDeps;

type Checked = { version: number; bundle: CertificateBundle };

/** Every version parsed and checked, or the first problem found (naming the file). */
async function checkVersions(tree: CertbotTree, lineage: CertbotLineage, now: Date): Promise<Checked[] | string> {
  if (lineage.problems.length > 0) return lineage.problems.join('; ');
  const checked: Checked[] = [];
  for (const version of lineage.versions) {
    if (version.missing.length > 0) return `missing ${version.missing.join(', ')}`;
    const path = (kind: string) => relative(tree.root, join(lineage.archivePath, `${kind}${version.version}.pem`));
    try {
      const bundle = await parseCertificateBundle(
        { certificate: version.files.cert, privateKey: version.files.privkey, chain: version.files.chain },
        { certificate: path('cert'), privateKey: path('privkey'), chain: path('chain') },
        now,
      );
      const fullchain = parseCertificates(version.files.fullchain!);
      if (fullchain[0]?.fingerprintSha256 !== bundle.certificate.fingerprintSha256) return `${path('fullchain')}: does not start with ${path('cert')}`;
      checked.push({ version: version.version, bundle });
    } catch (error) {
      if (error instanceof X509ParseError) return `${path('fullchain')}: ${error.message}`;
      if (error instanceof ValidationError) return problemOf(error);
      throw error;
    }
  }
  return checked;
}

/** certbot's current version: the one live/ points at, else the newest in the archive. */
const currentVersion = (lineage: CertbotLineage, checked: Checked[]): number =>
  checked.some((c) => c.version === lineage.liveVersion) ? lineage.liveVersion! : checked[checked.length - 1]!.version;

export async function importLineage(
  deps: LineageDeps,
  tree: CertbotTree,
  lineage: CertbotLineage,
  accounts: ReadonlyMap<string, string>,
  context: CommandContext,
): Promise<{ report: LineageReport; position: bigint }> {
  const checked = await checkVersions(tree, lineage, deps.now());
  if (typeof checked === 'string') return { report: { name: lineage.name, status: 'skipped', problem: checked, versions: [] }, position: 0n };
  const current = currentVersion(lineage, checked);
  const versions: VersionReport[] = [];
  let position = 0n;
  for (const { version, bundle } of checked) {
    const imported = await importCertificate(deps, { certificate: bundle.certificate, privateKey: bundle.privateKey, chains: [bundle.chain], isExpired: bundle.isExpired }, context);
    position = imported.position > position ? imported.position : position;
    // Only a version imported now is marked: an operator's later re-activation is not undone by a re-run.
    if (version !== current && imported.created) {
      const off = await deactivateCertificate(deps, imported.certificateId, { reason: `superseded by version ${current} of certbot lineage ${lineage.name}`, actor: context.actor ?? 'certbot-import' }, context);
      if (off.position !== null && off.position > position) position = off.position;
    }
    versions.push({
      version, certificateId: imported.certificateId, privateKeyId: imported.privateKeyId, caChainId: imported.caChainId,
      fingerprintSha256: bundle.certificate.fingerprintSha256, domainNames: bundle.certificate.domainNames, notBefore: bundle.certificate.notBefore, notAfter: bundle.certificate.notAfter,
      keyTechnology: bundle.privateKey.keyTechnology, active: version === current, created: imported.created,
    });
  }
  const latest = versions.find((v) => v.version === current)!;
  const renewal = await renewalFor(deps, lineage, latest, accounts, context);
  if (renewal.position && renewal.position > position) position = renewal.position;
  return { report: { name: lineage.name, status: 'imported', versions, renewal: renewal.report }, position };
}

async function renewalFor(
  deps: LineageDeps,
  lineage: CertbotLineage,
  latest: VersionReport,
  accounts: ReadonlyMap<string, string>,
  context: CommandContext,
): Promise<{ report: RenewalReport; position?: bigint | null }> {
  if (!lineage.renewal) return { report: { status: 'none', reason: `no renewal/${lineage.name}.conf` } };
  const certbotAccount = renewalParam(lineage.renewal, 'account');
  const server = renewalParam(lineage.renewal, 'server');
  if (!certbotAccount || !server || !URL.canParse(server)) return { report: { status: 'none', reason: `renewal/${lineage.name}.conf names no account or server` } };
  const acmeAccountId = accounts.get(accountKey(serverPathOfDirectoryUrl(server), certbotAccount));
  if (!acmeAccountId) return { report: { status: 'none', reason: `account ${certbotAccount} of ${server} was not imported` } };
  const { challengeType } = challengeTypeOf(lineage.renewal);
  const keyTechnology = keyTechnologyOf(lineage.renewal, latest.keyTechnology);
  // One configuration per lineage and account: importing again finds it.
  const configurationId = deterministicId('renewalConfiguration', `certbot\0${acmeAccountId}\0${lineage.name}`);
  try {
    const created = await createRenewalConfiguration(deps, {
      identifiers: identifiersOf(latest.domainNames, challengeType),
      primary: { accountId: acmeAccountId, keyTechnology, keyPolicy: keyPolicyOf(lineage.renewal), profile: null },
      backup: null,
      isAutoRenew: true,
    }, context, {
      configurationId,
      certificate: { certificateId: latest.certificateId, notBefore: latest.notBefore, notAfter: latest.notAfter },
    });
    return { report: { status: created.created ? 'created' : 'existing', configurationId, acmeAccountId, challengeType, keyTechnology }, position: created.position };
  } catch (error) {
    return { report: { status: 'failed', reason: problemOf(error) } };
  }
}
