/**
 * The master key that wraps every data key (DESIGN §3): from configuration, or on the embedded
 * default from `<dataDir>/master.key`, created once with mode 0600. Its value never enters a message.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type MasterKey = { key: Buffer; id: string };

const KEY_BYTES = 32;
const FILE_NAME = 'master.key';

export async function loadMasterKey(opts: { configured?: string; dataDir?: string }): Promise<MasterKey> {
  if (opts.configured !== undefined && opts.configured.trim() !== '') {
    return withId(decodeKey(opts.configured, 'the configured master key'));
  }
  if (opts.dataDir) return withId(await loadOrCreateFile(join(opts.dataDir, FILE_NAME)));
  throw new Error('No master key: configure one (32 bytes, base64 or hex) or give a data folder to keep master.key in');
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

async function readKeyFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  // POSIX modes only mean something off Windows.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new Error(`${path} is accessible by group or others (mode ${mode}); run: chmod 600 ${path}`);
  }
  return decodeKey(await readFile(path, 'utf8'), path);
}
