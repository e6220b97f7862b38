/**
 * The peers of the issuance bench: Debian certbot and lego, one process per certificate against
 * the bench's Pebble (commands as in ../shared/PEERS.md), each in a fresh state directory kept
 * for the whole run (so the first, untimed run registers the account the others reuse).
 */
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { PebbleInstance } from '../../test/support/pebble.js';

export type ToolRun = (name: string) => Promise<void>;

/** `app` on 127.0.0.1:port (Pebble's httpPort); the returned function frees the port. */
export async function holdPort(app: Express, port: number): Promise<() => Promise<void>> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  return () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
}

const stateDirs = new Map<string, string>();

async function stateDir(tool: string, pebble: PebbleInstance): Promise<string> {
  let dir = stateDirs.get(tool);
  if (!dir) {
    dir = await mkdtemp(join(tmpdir(), `certledger-bench-${tool}-`));
    await writeFile(join(dir, 'ca.pem'), pebble.caPem);
    await mkdir(join(dir, 'state'));
    stateDirs.set(tool, dir);
  }
  return dir;
}

export async function removeToolDirs(): Promise<void> {
  for (const dir of stateDirs.values()) await rm(dir, { recursive: true, force: true });
  stateDirs.clear();
}

function commandOf(tool: string, pebble: PebbleInstance, dir: string, name: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const port = pebble.ports.httpPort;
  const state = join(dir, 'state');
  switch (tool) {
    case 'certbot':
      return {
        args: [
          'certonly', '-n', '--agree-tos', '-m', 'admin@example.test', '--server', pebble.directoryUrl,
          '--config-dir', join(state, 'config'), '--work-dir', join(state, 'work'), '--logs-dir', join(state, 'logs'),
          '--standalone', '--http-01-port', String(port), '--http-01-address', '127.0.0.1', '--cert-name', name, '-d', name,
        ],
        env: { ...process.env, REQUESTS_CA_BUNDLE: join(dir, 'ca.pem') },
      };
    case 'lego':
      return {
        args: ['--server', pebble.directoryUrl, '--email', 'admin@example.test', '--accept-tos', '--path', state, '--http', '--http.port', `127.0.0.1:${port}`, '-d', name, 'run'],
        env: { ...process.env, LEGO_CA_CERTIFICATES: join(dir, 'ca.pem') },
      };
    default:
      throw new Error(`unknown issuance tool ${tool} (certbot or lego)`);
  }
}

/** Issues `name` with `tool`; rejects with the tail of its output when it fails. */
export async function runTool(tool: string, pebble: PebbleInstance, name: string): Promise<void> {
  const dir = await stateDir(tool, pebble);
  const { args, env } = commandOf(tool, pebble, dir, name);
  const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`${tool} for ${name} exited ${code}:\n${output}`);
}
