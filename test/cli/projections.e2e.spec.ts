import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogProjections } from '../../src/projections/index.js';
import { startTestStack, type TestStack } from '../support/app.js';
import { dumpReadTables, seedCatalog } from '../projections/rebuild-support.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/certledger.mjs');

type Result = { code: number; stdout: string; stderr: string };

async function certledger(args: string[], env: Record<string, string>): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The server (this test's stack, projecting) and the CLI beside it on one PostgreSQL database. */
describe('certledger projections (PostgreSQL, beside a running projector)', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const masterKey = randomBytes(32);
  const names = catalogProjections.map((p) => p.name);
  const caughtUp = async () => stack.projectionSet.waitFor(await stack.deps.store.headPosition(), { timeoutMs: 20_000 });

  beforeAll(async () => {
    stack = await startTestStack('postgres', { masterKey });
    const url = (stack.handle.pool!.options as { connectionString: string }).connectionString;
    env = { DATABASE_URL: url, CERTLEDGER_MASTER_KEY: masterKey.toString('hex') };
    await seedCatalog(stack, randomBytes(4).toString('hex'));
    await caughtUp();
  });
  afterAll(async () => stack?.close());

  it('lists each projection with its version, position and lag', async () => {
    const listed = await certledger(['projections', 'list', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const report = JSON.parse(listed.stdout);
    const head = (await stack.deps.store.headPosition()).toString();
    expect(report.head_position).toBe(head);
    expect(report.items.map((p: { name: string }) => p.name)).toEqual(names);
    for (const item of report.items) expect(item).toMatchObject({ position: head, lag: '0', last_error: null, rebuilding_since: null });
    const text = await certledger(['projections', 'list'], env);
    expect(text.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+POSITION\s+LAG\s+LAST ERROR$/);
    expect(text.stdout).toMatch(new RegExp(`^catalog\\s+\\d+\\s+${head}\\s+0\\s+-$`, 'm'));
    const status = await certledger(['projections', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^event log head: ${head}\\n`));
  });

  it('rebuilds every projection beside the live tables while the server projects, with identical tables', async () => {
    const before = await dumpReadTables(stack.handle.db);
    const all = await certledger(['projections', 'rebuild', '--all', '--json'], env);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const report = JSON.parse(all.stdout);
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(names);
    expect(report.events).toBeGreaterThan(10);
    expect(report.events_per_second).toBeGreaterThan(0);
    expect(await dumpReadTables(stack.handle.db)).toEqual(before);
    // The server's runner reloads its moved checkpoint and keeps projecting.
    await seedCatalog(stack, randomBytes(4).toString('hex'));
    await caughtUp();

    const one = await certledger(['projections', 'rebuild', 'catalog'], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^rebuilt catalog: \d+ events up to position \d+ in \d+ ms \(\d+ events\/s\)\n$/);
  });

  it('fails with a one-line reason and a non-zero exit', async () => {
    const unknown = await certledger(['projections', 'rebuild', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`certledger: unknown projection nope (known: ${names.join(', ')})\n`);
    const neither = await certledger(['projections', 'rebuild'], env);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toBe('certledger: name one projection or give --all\n');
    const noRedis = await certledger(['projections', 'rebuild', 'redis-prime'], env);
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toMatch(/^certledger: projection redis-prime is not running here: redis is not enabled \(set REDIS_URL\)\n$/);
  });

  it('documents every command with --help', async () => {
    for (const args of [['projections', '--help'], ['projections', 'list', '--help'], ['projections', 'status', '--help'], ['projections', 'rebuild', '--help']]) {
      const help = await certledger(args, {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: certledger projections/);
    }
  });
});

describe('certledger projections (embedded PGlite folder: the CLI projects itself)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certledger-cli-rebuild-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('rebuilds an empty store and lists it', async () => {
    const env = { CERTLEDGER_DATA_DIR: dir };
    const rebuilt = await certledger(['projections', 'rebuild', '--all', '--json'], env);
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ events: 0 });
    const listed = JSON.parse((await certledger(['projections', 'list', '--json'], env)).stdout);
    expect(listed.items.map((p: { name: string }) => p.name)).toEqual(catalogProjections.map((p) => p.name));
  }, 60_000);
});
