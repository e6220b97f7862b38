import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain } from '../support/pki.js';
import { form, json, openRedisForTests, REDIS_TEST_DB } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { ensureBuilt } from '../../scripts/build.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** What `npm start` runs, once its prestart has built dist/ from the current sources. */
const MAIN = path.join(ROOT, 'dist/main.js');

beforeAll(ensureBuilt, 60_000);

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

const run = (cwd: string, env: Record<string, string>, command = [process.execPath, MAIN]): Run => {
  const child = spawn(command[0]!, command.slice(1), { cwd, env: bareEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
};

// A first start creates the PGlite database (initdb: ~4 s of CPU), which a loaded machine stretches.
const waitReady = async (url: string, r: Run) => {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`not ready: ${r.output()}`);
};

describe('npm start with no configuration', () => {
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
    // Through npm itself once: its prestart build, then the compiled service and its exit code.
    const bad = run(cwd, { CERTLEDGER_ADMIN_LISTEN: 'nowhere', DATABASE_URL: 'mysql://x' }, ['npm', '--prefix', ROOT, '--silent', 'start']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('CERTLEDGER_ADMIN_LISTEN must be host:port');
    expect(bad.output()).toContain('DATABASE_URL must be a postgres://');

    const dns = run(cwd, { CERTLEDGER_DNS_PROVIDER: '{"kind":"rfc2136","server":"127.0.0.1:53","zone":"example.test"}' });
    expect(await dns.exited).toBe(1);
    expect(dns.output()).toMatch(/CERTLEDGER_DNS_PROVIDER\.tsig/);
  }, 120_000); // npm's prestart rebuilds dist/ when a source changed since the last build
});

describe('npm start on PostgreSQL and Redis', () => {
  it('keeps everything in the configured servers and writes the prime through to Redis', async () => {
    const database = await openTestDatabase('postgres');
    const url = (database.pool!.options as { connectionString: string }).connectionString;
    const redis = await openRedisForTests();
    const cwd = await mkdtemp(path.join(tmpdir(), 'certledger-pg-'));
    const port = await freePort();
    const admin = `http://127.0.0.1:${port}`;
    const proc = run(cwd, {
      DATABASE_URL: url,
      REDIS_URL: `redis://127.0.0.1:6379/${REDIS_TEST_DB}`,
      CERTLEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${port}`,
      CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${await freePort()}`,
    });
    try {
      await waitReady(admin, proc);
      const chain = await createTestChain({ names: ['pg-process.example.test'] });
      const up = await fetch(`${admin}/.well-known/peter_sslers/certificate-signed/upload.json`, {
        method: 'POST',
        body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
      });
      expect(up.status).toBe(200);
      const id = (await json(up)).certificate.id;
      await fetch(`${admin}/.well-known/peter_sslers/domain/pg-process.example.test/config.json?openresty=1`);
      expect(await redis.hget('d1:pg-process.example.test', 'c')).toBe(id);
      const events = await database.db.selectFrom('events').select('event_type').execute();
      expect(events.map((e) => e.event_type)).toContain('CertificateImported');
      const vault = await database.db.selectFrom('key_vault').select('private_key_id').execute();
      expect(vault).toHaveLength(1);
      await expect(stat(path.join(cwd, 'data'))).rejects.toThrow();
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      redis.disconnect();
      await database.close();
      await rm(cwd, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses PostgreSQL without a master key', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'certledger-pg-'));
    const proc = run(cwd, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      CERTLEDGER_ADMIN_LISTEN: `127.0.0.1:${await freePort()}`,
      CERTLEDGER_PUBLIC_LISTEN: `127.0.0.1:${await freePort()}`,
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/master key/i);
    await rm(cwd, { recursive: true, force: true });
  });
});
