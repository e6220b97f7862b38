/**
 * Reads a certbot configuration directory (/etc/letsencrypt) into memory: account folders,
 * renewal files and every archived version of every lineage. Nothing is judged here beyond
 * "is the file there"; what to import is decided in src/commands/certbot-import.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parseConfigObj, type ConfigObj } from './configobj.js';

export type CertbotAccountFolder = {
  /** certbot's account id (the folder name, an MD5 of the key). */
  id: string;
  /** `<host[:port]>/<directory path>`: where under accounts/ it sits, i.e. the ACME server. */
  serverPath: string;
  path: string;
  privateKey: string;
  regr?: string;
  meta?: string;
};

export const VERSION_FILES = ['cert', 'chain', 'fullchain', 'privkey'] as const;
export type VersionFile = (typeof VERSION_FILES)[number];

export type CertbotVersion = {
  version: number;
  files: Partial<Record<VersionFile, Buffer>>;
  /** Paths (relative to the root) certbot should have written for this version but that are absent. */
  missing: string[];
};

export type CertbotLineage = {
  name: string;
  /** renewal/<name>.conf, when there is one. */
  renewal: ConfigObj | null;
  archivePath: string;
  /** Ascending by version number. */
  versions: CertbotVersion[];
  /** The version live/<name>/cert.pem points at (certbot's current one), when the link resolves. */
  liveVersion: number | null;
  /** Unreadable renewal file, no archive folder… */
  problems: string[];
};

export type CertbotTree = { root: string; accounts: CertbotAccountFolder[]; lineages: CertbotLineage[] };

export class CertbotTreeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertbotTreeError';
  }
}

const exists = async (path: string) => stat(path).then(() => true, () => false);
const isDirectory = async (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
const readText = async (path: string) => readFile(path, 'utf8').catch(() => undefined);

async function subdirectories(path: string): Promise<string[]> {
  const entries = await readdir(path).catch(() => [] as string[]);
  const dirs: string[] = [];
  for (const entry of entries.sort()) if (await isDirectory(join(path, entry))) dirs.push(entry);
  return dirs;
}

/** Any folder under accounts/ holding a private_key.json is an account; the path above it names the server. */
async function readAccounts(root: string): Promise<CertbotAccountFolder[]> {
  const base = join(root, 'accounts');
  const found: CertbotAccountFolder[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const privateKey = await readText(join(dir, 'private_key.json'));
    if (privateKey !== undefined && depth > 1) {
      const [regr, meta] = await Promise.all([readText(join(dir, 'regr.json')), readText(join(dir, 'meta.json'))]);
      found.push({
        id: basename(dir), serverPath: relative(base, join(dir, '..')), path: relative(root, dir), privateKey,
        ...(regr === undefined ? {} : { regr }), ...(meta === undefined ? {} : { meta }),
      });
      return;
    }
    // Bounded: directory URLs have a few path segments, never deep trees.
    if (depth < 6) for (const sub of await subdirectories(dir)) await walk(join(dir, sub), depth + 1);
  };
  await walk(base, 0);
  return found;
}

const VERSION_NAME = /^(cert|chain|fullchain|privkey)(\d+)\.pem$/;

async function readVersions(root: string, archive: string): Promise<CertbotVersion[]> {
  const numbers = new Set<number>();
  for (const entry of await readdir(archive)) {
    const match = VERSION_NAME.exec(entry);
    if (match) numbers.add(Number(match[2]));
  }
  const versions: CertbotVersion[] = [];
  for (const version of [...numbers].sort((a, b) => a - b)) {
    const files: CertbotVersion['files'] = {};
    const missing: string[] = [];
    for (const kind of VERSION_FILES) {
      const path = join(archive, `${kind}${version}.pem`);
      const content = await readFile(path).catch(() => undefined);
      if (content === undefined) missing.push(relative(root, path));
      else files[kind] = content;
    }
    versions.push({ version, files, missing });
  }
  return versions;
}

/** live/<name>/cert.pem is a relative link to ../../archive/<name>/certN.pem. */
async function liveVersion(root: string, name: string): Promise<number | null> {
  const target = await readlink(join(root, 'live', name, 'cert.pem')).catch(() => undefined);
  const match = target === undefined ? null : /cert(\d+)\.pem$/.exec(target);
  return match ? Number(match[1]) : null;
}

/**
 * The archive folder: the renewal file's `archive_dir` names it by absolute path, which is wrong
 * once the tree was copied elsewhere; the folder of the same name under this root wins.
 */
async function archiveOf(root: string, name: string, renewal: ConfigObj | null): Promise<string> {
  const archiveDir = renewal?.values.archive_dir;
  const local = join(root, 'archive', archiveDir ? basename(archiveDir) : name);
  if (await exists(local)) return local;
  return archiveDir && (await exists(archiveDir)) ? archiveDir : local;
}

async function readLineage(root: string, name: string, renewalText: string | undefined): Promise<CertbotLineage> {
  const problems: string[] = [];
  const renewal = renewalText === undefined ? null : parseConfigObj(renewalText);
  const archivePath = await archiveOf(root, name, renewal);
  let versions: CertbotVersion[] = [];
  if (await isDirectory(archivePath)) versions = await readVersions(root, archivePath);
  else problems.push(`no archive folder ${relative(root, archivePath) || archivePath}`);
  if (versions.length === 0 && problems.length === 0) problems.push(`no certificate in ${relative(root, archivePath)}`);
  return { name, renewal, archivePath, versions, liveVersion: await liveVersion(root, name), problems };
}

export async function readCertbotTree(root: string): Promise<CertbotTree> {
  if (!(await isDirectory(root))) throw new CertbotTreeError(`${root} is not a directory`);
  const hasLayout = (await Promise.all(['accounts', 'renewal', 'archive'].map((d) => isDirectory(join(root, d))))).some(Boolean);
  if (!hasLayout) throw new CertbotTreeError(`${root} is not a certbot configuration directory (no accounts/, renewal/ or archive/)`);
  const accounts = await readAccounts(root);
  const renewalFiles = (await readdir(join(root, 'renewal')).catch(() => [] as string[])).filter((f) => f.endsWith('.conf')).sort();
  const names = new Set(renewalFiles.map((f) => f.slice(0, -'.conf'.length)));
  // An archive without a renewal file (certbot lost or never wrote it) still holds certificates.
  for (const name of await subdirectories(join(root, 'archive'))) names.add(name);
  const lineages: CertbotLineage[] = [];
  for (const name of [...names].sort()) {
    const text = renewalFiles.includes(`${name}.conf`) ? await readText(join(root, 'renewal', `${name}.conf`)) : undefined;
    lineages.push(await readLineage(root, name, text));
  }
  return { root, accounts, lineages };
}
