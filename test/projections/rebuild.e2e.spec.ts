/**
 * Rebuild beside the live tables and swap, on PGlite and PostgreSQL: a catalogue made through the
 * HTTP API plus an ACME account, a dns-01 order from Pebble and a renewal configuration; every
 * read table dumped before and after rebuilding every projection; the Redis prime likewise.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { migrateToLatest } from '../../src/infra/db/migrate.js';
import { createChalltestsrvProvider } from '../../src/infra/dns/challtestsrv.js';
import { PRIME_CHECKPOINT_KEY } from '../../src/projections/redis-prime/checkpoint.js';
import { SHADOW_SCHEMA } from '../../src/projections/rebuild/shadow-tables.js';
import { createTestAcmeAccount, json, startTestStack, type TestStack } from '../support/app.js';
import { connectPebble } from '../support/pebble.js';
import { createTestChain } from '../support/pki.js';
import { dumpReadTables, dumpRedis, dumpSchema, readTables, seedCatalog, uploadLeaf } from './rebuild-support.js';

/** The Redis database this file owns (flushed here). */
const REDIS_DB = 8;
const BIN = resolve(import.meta.dirname, '../../bin/certledger.mjs');

async function certledger(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe.each(['pglite', 'postgres'] as const)('projections rebuilt beside the live tables (%s, Redis database 8)', (kind) => {
  let stack: TestStack;
  let redis: Redis;
  const tag = randomBytes(4).toString('hex');
  const masterKey = randomBytes(32);

  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${stack.admin.url}/api/v1${path}`, {
      method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await json(res) };
  };
  const caughtUp = async () => {
    const head = await stack.deps.store.headPosition();
    await stack.projectionSet.waitFor(head, { timeoutMs: 20_000 });
    await stack.prime?.waitFor(head, 20_000);
    return head;
  };

  beforeAll(async () => {
    const flush = new Redis({ host: '127.0.0.1', port: 6379, db: REDIS_DB, lazyConnect: true });
    await flush.connect();
    await flush.flushdb();
    flush.disconnect();
    const pebble = connectPebble(inject('pebble'));
    stack = await startTestStack(kind, {
      redis: true, redisDb: REDIS_DB, prime: { settings: { pollIntervalMs: 100 } }, masterKey,
      pebble: { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem },
    });
    redis = stack.redis as Redis;
    const dns = createChalltestsrvProvider({ managementUrl: pebble.challtestsrvUrl, dnsServer: { host: '127.0.0.1', port: pebble.ports.dns }, timeoutMs: 5_000 });
    stack.deps.dns = dns;

    await seedCatalog(stack, tag);
    const accountId = await createTestAcmeAccount(stack);
    const ordered = `order-${tag}-${kind}.example.test`;
    const created = await createAcmeOrder({ ...stack.deps, dns, poll: { maxWaitMs: 30_000 } }, {
      accountId, identifiers: [{ type: 'dns', value: ordered, challengeType: 'dns-01' }], processing: 'all',
    });
    expect(created.report.next).toBe('done');
    const res = await fetch(`${stack.admin.url}/api/v1/renewal-configurations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ domain_names_dns01: [ordered], primary: { account_id: accountId } }),
    });
    expect(res.status, JSON.stringify(await json(res))).toBe(201);
    await caughtUp();
  });
  afterAll(async () => stack?.close());

  it('gives identical read tables, schema, indexes and constraints, and later migrations still apply', async () => {
    const tables = readTables();
    const before = await dumpReadTables(stack.handle.db);
    const schemaBefore = await dumpSchema(stack.handle.db);
    // Real data in every projection's tables (the ACME ones from the Pebble order).
    for (const table of ['certificates', 'certificate_chains', 'ca_certificates', 'domains', 'chain_preferences', 'acme_orders', 'acme_challenges', 'renewal_configurations']) {
      expect(before[table]?.length, table).toBeGreaterThan(0);
    }

    const { status, body } = await post('/projections/all/rebuild');
    expect(status, JSON.stringify(body)).toBe(200);
    const sqlNames = body.results.filter((r: { kind: string }) => r.kind === 'sql').map((r: { name: string }) => r.name);
    expect(sqlNames).toEqual(['catalog', 'acme', 'renewal', ...sqlNames.slice(3)]);
    expect(body.results.at(-1).name).toBe('redis-prime');
    expect(body.events).toBeGreaterThan(20);
    console.log(`[rebuild ${kind}] ${body.events} events replayed beside the live tables in ${body.elapsed_ms} ms (${body.events_per_second} events/s):`,
      body.results.map((r: { name: string; events?: number; events_per_second?: number }) => `${r.name} ${r.events ?? '-'} ev ${r.events_per_second ?? '-'} ev/s`).join('; '));

    expect(await dumpReadTables(stack.handle.db)).toEqual(before);
    expect(await dumpSchema(stack.handle.db)).toEqual(schemaBefore);
    const { rows: left } = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${SHADOW_SCHEMA}`.execute(stack.handle.db);
    expect(left).toEqual([]);

    // The checkpoints sit at the head, and the live runners reload and carry on from there.
    const head = await stack.deps.store.headPosition();
    const checkpoints = await stack.handle.db.selectFrom('projection_checkpoints').select(['name', 'position']).execute();
    for (const row of checkpoints.filter((r) => sqlNames.includes(r.name))) expect(row.position, row.name).toBe(head);
    await migrateToLatest(stack.handle.db);
    // What a later migration does by name: drop and recreate an index, rename a constraint there and back.
    await sql`DROP INDEX certificates_fqdn_set_idx`.execute(stack.handle.db);
    await sql`CREATE INDEX certificates_fqdn_set_idx ON certificates (unique_fqdn_set_id, not_after)`.execute(stack.handle.db);
    await sql`ALTER TABLE unique_fqdn_set_domains RENAME CONSTRAINT unique_fqdn_set_domains_pk TO x_pk`.execute(stack.handle.db);
    await sql`ALTER TABLE unique_fqdn_set_domains RENAME CONSTRAINT x_pk TO unique_fqdn_set_domains_pk`.execute(stack.handle.db);
    expect(await dumpSchema(stack.handle.db)).toEqual(schemaBefore);
    expect(tables.length).toBeGreaterThanOrEqual(21);
  });

  it('keeps projecting into the swapped tables', async () => {
    await seedCatalog(stack, `${tag}-after`);
    const head = await caughtUp();
    const domain = `single-${tag}-after.rebuild.test`;
    const served = await json(await fetch(`${stack.admin.url}/.well-known/peter_sslers/domain/${domain}/config.json`));
    expect(served.certificate_signed__latest_single?.id).toBeTruthy();
    const live = await dumpReadTables(stack.handle.db);
    // A second rebuild of the grown log equals what the live runners made of it.
    const again = await post('/projections/all/rebuild');
    expect(again.status).toBe(200);
    expect(await dumpReadTables(stack.handle.db)).toEqual(live);
    expect(BigInt(again.body.results[0].position)).toBeGreaterThanOrEqual(head);
  });

  it('rebuilds the Redis prime: identical keys and values, without the keys no domain refers to', async () => {
    // A certificate the prime wrote and that was deactivated afterwards leaves its c:/p:/i: keys behind.
    const chain = await createTestChain({ names: [`orphan-${tag}.rebuild.test`], keyAlgorithm: 'EC' });
    const orphaned = await uploadLeaf(stack, chain.leaf, chain.chainPem);
    await caughtUp();
    expect(await redis.exists(`c:${orphaned.certificateId}`)).toBe(1);
    await post(`/certificates/${orphaned.certificateId}/deactivate`, { reason: 'orphan' });
    // And a domain the catalog does not know (a prime from another event log).
    await redis.hset('d1:unknown.rebuild.test', { c: 'x', p: 'y', i: 'z' });
    const head = await caughtUp();
    const before = await dumpRedis(redis);
    expect(before[PRIME_CHECKPOINT_KEY]).toEqual({ value: head.toString(), expires: false });
    // The live prime keeps c:/p:/i: of a certificate nobody serves any more (deactivated, revoked): a prime from scratch has none.
    const referenced = new Set<string>();
    for (const [key, entry] of Object.entries(before)) {
      if (!key.startsWith('d1:')) continue;
      const fields = (entry as { value: Record<string, string> }).value;
      referenced.add(`c:${fields.c}`).add(`p:${fields.p}`).add(`i:${fields.i}`);
    }
    const orphans = [...Object.keys(before).filter((k) => /^[cpi]:/.test(k) && !referenced.has(k)), 'd1:unknown.rebuild.test'];
    expect(orphans).toContain(`c:${orphaned.certificateId}`);
    const expected = Object.fromEntries(Object.entries(before).filter(([k]) => !orphans.includes(k)));

    const swept = await post('/projections/redis-prime/rebuild');
    expect(swept.status, JSON.stringify(swept.body)).toBe(200);
    expect(swept.body.results[0]).toMatchObject({ name: 'redis-prime', kind: 'redis', stale_keys: orphans.length, position: head.toString() });
    expect(await dumpRedis(redis)).toEqual(expected);

    await redis.flushdb();
    const fresh = await post('/projections/redis-prime/rebuild');
    expect(fresh.status).toBe(200);
    expect(fresh.body.results[0]).toMatchObject({ stale_keys: 0, position: head.toString() });
    expect(await dumpRedis(redis)).toEqual(expected);
    if (kind === 'postgres') {
      // The same from the command line, beside this process's runners (vault read with the same master key).
      await redis.flushdb();
      const url = (stack.handle.pool!.options as { connectionString: string }).connectionString;
      const cli = await certledger(['projections', 'rebuild', 'redis-prime', '--json'], {
        DATABASE_URL: url, CERTLEDGER_MASTER_KEY: masterKey.toString('hex'), REDIS_URL: 'redis://127.0.0.1:6379', CERTLEDGER_REDIS_DB: String(REDIS_DB),
      });
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout).results[0]).toMatchObject({ name: 'redis-prime', stale_keys: 0, position: head.toString() });
      expect(await dumpRedis(redis)).toEqual(expected);
    }
    console.log(`[rebuild ${kind}] redis prime: ${fresh.body.results[0].domains} domains in ${fresh.body.results[0].elapsed_ms} ms; ${orphans.length} orphan keys swept from the live prime`);

    // The live prime runner reloads from the moved checkpoint and keeps writing.
    await seedCatalog(stack, `${tag}-prime`);
    await caughtUp();
    expect(await redis.exists(`d1:single-${tag}-prime.rebuild.test`)).toBe(1);
  });

  it('answers 404 for an unknown projection and 400 for a malformed name', async () => {
    const unknown = await post('/projections/nope/rebuild');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/unknown projection nope/);
    const bad = await post('/projections/Bad_Name/rebuild');
    expect(bad.status).toBe(400);
    expect(bad.body.form_errors).toHaveProperty('name');
    const listed = await json(await fetch(`${stack.admin.url}/api/v1/projections`));
    expect(listed.rebuilding).toEqual([]);
  });
});
