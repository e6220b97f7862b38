import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`The data folder ${dir} is in use by process ${pid}. Stop it, or send your request to its API instead: an embedded database has one writer.`);
    this.name = 'DataDirLockedError';
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** One process per embedded data folder; a lock left by a dead process is taken over. */
export async function lockDataDir(dir: string): Promise<{ release: () => Promise<void> }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'certledger.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DataDirLockedError(dir, pid);
      await rm(file, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dir}`);
}
