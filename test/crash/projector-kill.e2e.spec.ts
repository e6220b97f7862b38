import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { readPrimeCheckpoint } from '../../src/projections/redis-prime/checkpoint.js';
import { dumpReadTables, dumpRedis } from '../projections/rebuild-support.js';
import { form, openRedisForTests } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';
import { until } from '../support/until.js';

const KILLS = Number(process.env.CRASH_PROJECTOR_KILLS ?? 20);
const PREFIX = '/.well-known/peter_sslers';
const PRIME_DB = 4;
const REFERENCE_DB = 5;

/**
 * The projector alone (read models and the Redis prime) killed with SIGKILL again and again while
 * another process keeps appending: a kill lands between a batch's rows and its checkpoint, or
 * between the prime's MULTI and EXEC. After the last restart the read tables equal a rebuild and
 * the Redis prime equals a full prime of the same catalog.
 */
describe(`the projector killed ${KILLS} times mid-work (PostgreSQL, Redis)`, () => {
  let handle: DatabaseHandle;
  let dir: string;
  let env: Record<string, string>;
  let writer: ServiceProcess;
  let projector: ServiceProcess | undefined;
  let redis: Redis;
  let reference: Redis;
  let ca: TestCa;

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-projector-kill-'));
    env = {
      DATABASE_URL: (handle.pool!.options as { connectionString: string }).connectionString,
      CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      REDIS_URL: `redis://127.0.0.1:6379/${PRIME_DB}`,
    };
    redis = await openRedisForTests(PRIME_DB);
    reference = await openRedisForTests(REFERENCE_DB);
    await Promise.all([redis.flushdb(), reference.flushdb()]);
    ca = await createCa();
    projector = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'projector' }, dir);
    writer = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'admin' }, dir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([writer?.stop(), projector?.stop()]);
    await Promise.all([redis?.flushdb(), reference?.flushdb()]);
    redis?.disconnect();
    reference?.disconnect();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

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
    const primer = await startServiceProcess({ ...env, REDIS_URL: `redis://127.0.0.1:6379/${REFERENCE_DB}`, CERTLEDGER_ROLES: 'admin' }, dir);
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
