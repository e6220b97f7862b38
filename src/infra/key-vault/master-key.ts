/**
 * The master key that wraps every data key (DESIGN §3): from configuration, or on the embedded
 * default from `<dataDir>/master.key`, created once with mode 0600. Its value never enters a message.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The key new entries are sealed under, and the earlier keys entries may still be under while a
 * rotation runs (CERTLEDGER_MASTER_KEY_PREVIOUS, or master.key.previous beside master.key).
 */
export type MasterKey = { key: Buffer; id: string; previous?: readonly { key: Buffer; id: string }[] };

const KEY_BYTES = 32;
const FILE_NAME = 'master.key';

export const MASTER_KEY_FILE = FILE_NAME;
export const PREVIOUS_KEYS_FILE = `${FILE_NAME}.previous`;

/** Where a process's master keys come from: configuration, else (embedded default) the data folder. */
export const masterKeySource = (config: { masterKey?: string; masterKeyPrevious?: string; databaseUrl?: string; dataDir: string }) => ({
  configured: config.masterKey,
  previous: config.masterKeyPrevious,
  dataDir: config.databaseUrl ? undefined : config.dataDir,
});

export async function loadMasterKey(opts: { configured?: string; previous?: string; dataDir?: string }): Promise<MasterKey> {
  const configuredPrevious = (opts.previous ?? '').split(',').map((v) => v.trim()).filter(Boolean)
    .map((v, i) => decodeKey(v, `previous master key ${i + 1} (CERTLEDGER_MASTER_KEY_PREVIOUS)`));
  if (opts.configured !== undefined && opts.configured.trim() !== '') {
    return keyring(decodeKey(opts.configured, 'the configured master key'), configuredPrevious);
  }
  if (opts.dataDir) {
    const current = await loadOrCreateFile(join(opts.dataDir, FILE_NAME));
    return keyring(current, [...configuredPrevious, ...(await readPreviousFile(join(opts.dataDir, PREVIOUS_KEYS_FILE)))]);
  }
  throw new Error('No master key: configure one (32 bytes, base64 or hex) or give a data folder to keep master.key in');
}

function keyring(current: Buffer, previous: Buffer[]): MasterKey {
  const main = withId(current);
  const others = previous.map(withId).filter((k, i, all) => k.id !== main.id && all.findIndex((o) => o.id === k.id) === i);
  return others.length > 0 ? { ...main, previous: others } : main;
}

/** One key a line, oldest first; absent is none. Same mode rule as master.key. */
async function readPreviousFile(path: string): Promise<Buffer[]> {
  let text: string;
  try {
    await checkMode(path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line, i) => decodeKey(line, `${path} line ${i + 1}`));
}

/**
 * The data-folder key is replaced by a new random one; the old one moves to master.key.previous
 * first (0600, synced), so a crash at any point leaves every vault entry readable.
 */
export async function replaceMasterKeyFile(dataDir: string): Promise<MasterKey> {
  const path = join(dataDir, FILE_NAME);
  const old = await readKeyFile(path);
  const previousPath = join(dataDir, PREVIOUS_KEYS_FILE);
  const earlier = await readPreviousFile(previousPath);
  await writeSecretFile(previousPath, [...earlier, old].map((k) => k.toString('base64')).join('\n'));
  const next = randomBytes(KEY_BYTES);
  await writeSecretFile(`${path}.next`, next.toString('base64'));
  await rename(`${path}.next`, path);
  return keyring(next, [...earlier, old]);
}

/** Forgets the earlier keys once no vault entry is under them. */
export async function dropPreviousKeysFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, PREVIOUS_KEYS_FILE), { force: true });
}

async function writeSecretFile(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${text}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A short, non-secret fingerprint stored beside each vault entry, so a wrong key is named, not guessed. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function withId(key: Buffer): MasterKey {
  return { key, id: masterKeyId(key) };
}

function decodeKey(text: string, source: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-f]{64}$/i.test(value)) key = Buffer.from(value, 'hex');
  // Node's base64 decoder reads the URL-safe alphabet too; padding is optional.
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new Error(`${source} must be exactly ${KEY_BYTES} bytes, written as base64 (44 characters) or hex (64 characters)`);
  }
  return key;
}

async function loadOrCreateFile(path: string): Promise<Buffer> {
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  let handle;
  try {
    // 'wx': fail if it exists (another process won the race: use its key); 0600 before any byte is written.
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path);
    throw error;
  }
  try {
    await handle.writeFile(`${key.toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return key;
}

async function checkMode(path: string): Promise<void> {
  const info = await stat(path);
  // POSIX modes only mean something off Windows.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new Error(`${path} is accessible by group or others (mode ${mode}); run: chmod 600 ${path}`);
  }
}

async function readKeyFile(path: string): Promise<Buffer> {
  await checkMode(path);
  return decodeKey(await readFile(path, 'utf8'), path);
}
