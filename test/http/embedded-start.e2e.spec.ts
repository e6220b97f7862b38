import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain } from '../support/pki.js';
import { form, json } from '../support/app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/main.ts');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

/** Only what a user with no configuration would have: no DATABASE_URL, no REDIS_URL, no CERTLEDGER_*. */
const bareEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(CERTLEDGER_|DATABASE_URL|EVENTSTORE_URL|REDIS_URL)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
};

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

const run = (cwd: string, env: Record<string, string>): Run => {
  const child = spawn(TSX, [MAIN], { cwd, env: bareEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
};

const waitReady = async (url: string, r: Run) => {
  for (let i = 0; i < 300; i++) {
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`not ready: ${r.output()}`);
};

describe('npm start on the embedded default', () => {
  let cwd: string;
  let admin: string;
  let ports: { admin: number; public: number };
  let first: Run;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'certledger-start-'));
    ports = { admin: await freePort(), public: await freePort() };
    admin = `http://127.0.0.1:${ports.admin}`;
  });
  afterAll(async () => {
    first?.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  });

  const listenEnv = () => ({
    CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${ports.admin}`,
    CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${ports.public}`,
  });

  it('starts on PGlite in ./data with a 0600 master key, imports, and keeps data across restarts', async () => {
    first = run(cwd, listenEnv());
    await waitReady(admin, first);
    expect((await stat(path.join(cwd, 'data/master.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(cwd, 'data/pglite'))).isDirectory()).toBe(true);

    const chain = await createTestChain({ names: ['embedded.example.test'] });
    const up = await fetch(`${admin}/.well-known/peter_sslers/certificate-signed/upload.json`, {
      method: 'POST',
      body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(up.status).toBe(200);
    const id = (await json(up)).certificate.id;

    // A second process on the same folder is refused clearly, and the first keeps running.
    const second = run(cwd, { ...listenEnv(), CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${await freePort()}`, CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${await freePort()}` });
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/in use by process \d+/);
    expect(first.child.exitCode).toBeNull();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    first = run(cwd, listenEnv());
    await waitReady(admin, first);
    const domain = await json(await fetch(`${admin}/.well-known/peter_sslers/domain/embedded.example.test/config.json`));
    expect(domain.certificate_signed__latest_single.id).toBe(id);
    expect(domain.certificate_signed__latest_single.private_key.pem).toContain('BEGIN PRIVATE KEY');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 120_000);

  it('refuses a bad setting with a clear message and a non-zero exit', async () => {
    const bad = run(cwd, { CERTLEDGER_ADMIN_LISTEN: 'nowhere', DATABASE_URL: 'mysql://x' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('CERTLEDGER_ADMIN_LISTEN must be host:port');
    expect(bad.output()).toContain('DATABASE_URL must be a postgres://');
  });
});
