import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { readPrimeCheckpoint } from '../../src/projections/redis-prime/checkpoint.js';
import { dumpReadTables, dumpRedis } from '../projections/rebuild-support.js';
import { form } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';
import { until } from '../support/until.js';

const KILLS = Number(process.env.CRASH_PROJECTOR_KILLS ?? 20);
const PREFIX = '/.well-known/peter_sslers';
const PRIME_DB = 4;
const REFERENCE_DB = 5;

/**
 * The projector alone (read models and the Redis prime) killed with SIGKILL: first at two chosen
 * points — inside a batch's transaction after its checkpoint moved and some rows were written
 * (a lock the test holds stops it there), and with the prime's MULTI queued and its EXEC held
 * (CLIENT PAUSE WRITE on a Redis of this file's own holds it inside MULTI) — then again and again at random moments
 * while another process keeps appending. After the last restart the read tables equal a rebuild
 * and the Redis prime equals a full prime of the same catalog.
 */
describe(`the projector killed ${KILLS} times mid-work (PostgreSQL, Redis)`, () => {
  let handle: DatabaseHandle;
  let dir: string;
  let env: Record<string, string>;
  let writer: ServiceProcess;
  let projector: ServiceProcess | undefined;
  let redis: Redis;
  let reference: Redis;
  let privateRedis: PrivateRedis;
  let ca: TestCa;

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-projector-kill-'));
    env = {
      DATABASE_URL: (handle.pool!.options as { connectionString: string }).connectionString,
      CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    privateRedis = await startPrivateRedis();
    env.REDIS_URL = privateRedis.url(PRIME_DB);
    redis = await privateRedis.client(PRIME_DB);
    reference = await privateRedis.client(REFERENCE_DB);
    ca = await createCa();
    projector = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'projector' }, dir);
    writer = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'admin' }, dir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([writer?.stop(), projector?.stop()]);
    await privateRedis?.stop();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const uploadOne = async () => {
    const leaf = await issueLeaf(ca, { names: [`${randomBytes(4).toString('hex')}.projector-kill.test`], keyAlgorithm: 'EC' });
    return fetch(`${writer.admin}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
    }).then((res) => res.arrayBuffer()).catch(() => undefined);
  };
  const catalogAt = async () => BigInt((await handle.db.selectFrom('projection_checkpoints').select('position').where('name', '=', 'catalog').executeTakeFirstOrThrow()).position);

  it('is killed inside a batch transaction (checkpoint moved, rows half written) and between MULTI and EXEC: nothing half-applied', async () => {
    // 1. Hold the certificates table: the catalog's batch moves its checkpoint, writes the key's
    // row, then waits for the certificate row's lock — killed there.
    const locker = await handle.pool!.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE certificates IN EXCLUSIVE MODE');
      const sent = uploadOne();
      const waiting = await until(async () => (await locker.query<{ pid: number; checkpoint_locked: boolean }>(`
        SELECT w.pid, EXISTS (SELECT 1 FROM pg_locks c WHERE c.pid = w.pid AND c.granted AND c.relation = 'projection_checkpoints'::regclass AND c.mode = 'RowExclusiveLock') AS checkpoint_locked
          FROM pg_locks w WHERE NOT w.granted AND w.relation = 'certificates'::regclass`)).rows, (rows) => rows.length > 0, 30_000, 20);
      // The blocked transaction has already updated its checkpoint row.
      expect(waiting.some((w) => w.checkpoint_locked)).toBe(true);
      const committed = await catalogAt();
      await projector!.kill();
      await locker.query('COMMIT');
      // Its backend rolls the whole batch back: the checkpoint is where it was.
      await until(async () => (await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)`, [waiting.map((w) => w.pid)])).rows[0].n, (n) => n === 0, 30_000, 20);
      expect(await catalogAt()).toBe(committed);
      projector = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'projector' }, dir);
      await sent;
    } finally {
      locker.release();
    }

    // 2. Hold Redis writes: the prime opens its MULTI and is held before EXEC — killed there; Redis discards the queue.
    const admin = await privateRedis.client(0);
    const primedBefore = await until(() => readPrimeCheckpoint(redis), (p) => p !== undefined, 30_000);
    await admin.call('CLIENT', 'PAUSE', '30000', 'WRITE');
    try {
      const sent = uploadOne();
      // The prime's connection: inside MULTI (flag x) and held by the pause (flag b).
      const inMulti = (list: string) => list.split('\n').some((line) => line.includes(` db=${PRIME_DB} `) && /flags=\w*x\w*b|flags=\w*b\w*x/.test(line));
      await until(async () => String(await admin.call('CLIENT', 'LIST')), inMulti, 30_000, 20);
      await projector!.kill();
      await until(async () => String(await admin.call('CLIENT', 'LIST')), (list) => !inMulti(list), 10_000, 20);
      await admin.call('CLIENT', 'UNPAUSE');
      expect(await readPrimeCheckpoint(redis)).toBe(primedBefore);
      projector = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'projector' }, dir);
      await sent;
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    console.log('projector killed at chosen points: inside a batch transaction after its checkpoint moved (rolled back), and between MULTI and EXEC (discarded)');
  }, 120_000);

  it('converges to exactly what a rebuild and a full prime produce', async () => {
    let uploads = 0;
    let stop = false;
    const write = async () => {
      while (!stop) {
        const names = Array.from({ length: randomInt(1, 4) }, () => `${randomBytes(4).toString('hex')}.projector-kill.test`);
        const leaf = await issueLeaf(ca, { names, keyAlgorithm: 'EC' });
        // Unacknowledged writes are fine here: the writer waits for the read models, which may be dead for a while.
        const res = await fetch(`${writer.admin}${PREFIX}/certificate-signed/upload.json`, {
          method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
        }).catch(() => undefined);
        await res?.arrayBuffer();
        uploads += 1;
      }
    };
    const writers = Promise.all([write(), write()]);
    for (let round = 0; round < KILLS; round++) {
      await new Promise((r) => setTimeout(r, randomInt(100, 1_200)));
      await projector!.kill();
      projector = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'projector' }, dir);
    }
    stop = true;
    await writers;

    const head = BigInt(String((await handle.db.selectFrom('events').select((eb) => eb.fn.max('global_position').as('p')).executeTakeFirstOrThrow()).p));
    await until(async () => handle.db.selectFrom('projection_checkpoints').select(['name', 'position']).execute(),
      (rows) => rows.length > 0 && rows.every((r) => BigInt(r.position) >= head), 60_000);
    await until(() => readPrimeCheckpoint(redis), (p) => p !== undefined && p >= head, 60_000);

    const liveTables = await dumpReadTables(handle.db);
    const livePrime = await dumpRedis(redis);
    const rebuilt = await fetch(`${writer.admin}/api/v1/projections/all/rebuild`, { method: 'POST' });
    expect(rebuilt.status, await rebuilt.clone().text()).toBe(200);
    expect(await dumpReadTables(handle.db)).toEqual(liveTables);

    // A full prime of the same catalog into another database: the same keys and values.
    const primer = await startServiceProcess({ ...env, REDIS_URL: privateRedis.url(REFERENCE_DB), CERTLEDGER_ROLES: 'admin' }, dir);
    try {
      const primed = await fetch(`${primer.admin}/api/v1/redis/prime`, { method: 'POST' });
      expect(primed.status).toBe(200);
    } finally {
      await primer.stop();
    }
    const withoutCheckpoint = (dump: Record<string, unknown>) => Object.fromEntries(Object.entries(dump).filter(([k]) => !k.startsWith('certledger:')));
    expect(withoutCheckpoint(livePrime)).toEqual(withoutCheckpoint(await dumpRedis(reference)));
    console.log(`projector kills: ${KILLS} SIGKILLs while ${uploads} uploads were sent; ${Object.keys(liveTables).length} read tables equal a rebuild, ${Object.keys(withoutCheckpoint(livePrime)).length} Redis keys equal a full prime`);
    expect(uploads).toBeGreaterThan(KILLS);
  }, 600_000);
});
