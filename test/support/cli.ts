import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/certledger.mjs');

export type CliResult = { code: number; stdout: string; stderr: string };

/** The `certledger` command as an operator runs it: a child process with only PATH and `env`. */
export async function certledger(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The environment a CLI child needs to open a test stack's PostgreSQL database and key vault. */
export function cliEnv(stack: { handle: { pool?: { options: unknown } } }, masterKey: Buffer): Record<string, string> {
  const url = (stack.handle.pool!.options as { connectionString: string }).connectionString;
  return { DATABASE_URL: url, CERTLEDGER_MASTER_KEY: masterKey.toString('hex') };
}
