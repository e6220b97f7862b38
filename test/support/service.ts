import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { ensureBuilt } from '../../scripts/build.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

export const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

export type ServiceProcess = {
  admin: string;
  public: string;
  logs: () => string;
  stop: () => Promise<void>;
  /** SIGKILL: no shutdown handler runs, as in a crash or an OOM kill. */
  kill: () => Promise<void>;
};

/**
 * The service as `npm start` runs it, in its own process with only PATH and `env`; resolves once
 * /readyz is 200, or — for a process without the admin role, which listens on nothing — once it
 * logs that its runtime is ready.
 */
export async function startServiceProcess(env: Record<string, string>, cwd: string): Promise<ServiceProcess> {
  const listens = env.CERTLEDGER_ROLES === undefined || env.CERTLEDGER_ROLES.split(',').includes('admin');
  const [adminPort, publicPort] = [await freePort(), await freePort()];
  // npm start's prestart: dist/ rebuilt when a source changed.
  await ensureBuilt();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${adminPort}`, CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${publicPort}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout!.on('data', (d) => (logs += d));
  child.stderr!.on('data', (d) => (logs += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
      await exited;
    }
  };
  const stop = signal('SIGTERM');
  const admin = `http://127.0.0.1:${adminPort}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 600) {
      await stop();
      throw new Error(`the service did not start: ${logs}`);
    }
    if (!listens && logs.includes('"message":"runtime ready"')) break;
    try {
      if (listens && (await fetch(`${admin}/readyz`)).status === 200) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { admin, public: `http://127.0.0.1:${publicPort}`, logs: () => logs, stop, kill: signal('SIGKILL') };
}
