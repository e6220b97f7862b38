/**
 * Shared by the rebuild tests: a catalogue with real variety made through the HTTP API, and dumps
 * of every read table, of their schema, and of the Redis prime, to compare before and after.
 */
import { X509Certificate } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../src/infra/db/schema.js';
import { catalogProjections } from '../../src/projections/index.js';
import { form, json, type TestStack } from '../support/app.js';
import { createTestChain, issueLeaf } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';

/** Every table a projection owns: the read models a rebuild must reproduce. */
export const readTables = (): string[] => catalogProjections.flatMap((p) => [...p.tables]);

async function call(stack: TestStack, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${stack.admin.url}${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const payload = await json(res);
  expect(res.status, `${method} ${path}: ${JSON.stringify(payload)}`).toBeLessThan(300);
  return payload;
}

export async function uploadLeaf(stack: TestStack, leaf: { certPem: string; keyPem: string }, chainPem: string) {
  const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
    method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: chainPem }),
  });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { certificateId: body.certificate.id as string, privateKeyId: body.private_key.id as string };
}

/**
 * Certificates with chains (one with two chains), a CA upload, a renewed name (two certificates),
 * a deactivation, a revocation, a compromised key, a deactivated domain, a chain preference.
 * Returns the names it made.
 */
export async function seedCatalog(stack: TestStack, tag: string): Promise<string[]> {
  const name = (label: string) => `${label}-${tag}.rebuild.test`;
  const names: string[] = [];
  const single = await createTestChain({ names: [name('single')] });
  names.push(name('single'));
  await call(stack, 'POST', '/api/v1/ca-certificates', { certificate: single.root.certPem });
  await uploadLeaf(stack, single.leaf, single.chainPem);
  // The same name renewed: a second certificate, latest not-after wins the recents.
  const renewed = await issueLeaf(single.intermediate, { names: [name('single')], notAfter: new Date(Date.now() + 200 * 86_400_000) });
  await uploadLeaf(stack, renewed, single.chainPem);

  const multi = await createTestChain({ names: [name('multi-a'), name('multi-b')], keyAlgorithm: 'RSA' });
  names.push(name('multi-a'), name('multi-b'));
  await call(stack, 'POST', '/api/v1/certificates', {
    certificate: multi.leaf.certPem, private_key: multi.leaf.keyPem, chains: [multi.chainPem, multi.fullChainPem],
  });

  const dropped = await createTestChain({ names: [name('dropped')] });
  names.push(name('dropped'));
  const droppedIds = await uploadLeaf(stack, dropped.leaf, dropped.chainPem);
  await call(stack, 'POST', `/api/v1/certificates/${droppedIds.certificateId}/deactivate`, { reason: 'replaced' });

  const revoked = await createTestChain({ names: [name('revoked')] });
  names.push(name('revoked'));
  const revokedIds = await uploadLeaf(stack, revoked.leaf, revoked.chainPem);
  await call(stack, 'POST', `/api/v1/certificates/${revokedIds.certificateId}/revoke`, { reason: 'test revocation' });

  const compromised = await createTestChain({ names: [name('compromised')] });
  names.push(name('compromised'));
  const compromisedIds = await uploadLeaf(stack, compromised.leaf, compromised.chainPem);
  await call(stack, 'POST', `/api/v1/private-keys/${compromisedIds.privateKeyId}/compromise`, { reason: 'leaked' });

  const parked = await createTestChain({ names: [name('parked')] });
  names.push(name('parked'));
  await uploadLeaf(stack, parked.leaf, parked.chainPem);
  await call(stack, 'POST', `/api/v1/domains/${name('parked')}/deactivate`, { reason: 'parked' });

  // Prefer the multi's longer chain (its root) everywhere: every certificate's selected chain is recomputed.
  const rootSha1 = new X509Certificate(multi.root.certPem).fingerprint;
  await call(stack, 'PUT', '/api/v1/chain-preference', { fingerprints_sha1: [rootSha1] });
  return names;
}

/** More certificates, one upload each (the concurrent tests' load). */
export async function uploadMany(stack: TestStack, tag: string, count: number): Promise<void> {
  const chain = await createTestChain({ names: [`load-0-${tag}.rebuild.test`], keyAlgorithm: 'EC' });
  for (let i = 0; i < count; i += 1) {
    const leaf = await issueLeaf(chain.intermediate, { names: [`load-${i}-${tag}.rebuild.test`], keyAlgorithm: 'EC' });
    await uploadLeaf(stack, leaf, chain.chainPem);
  }
}

const normalise = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
};

/** Every row of every read table, all columns, in a total order (every column, in table order). */
export async function dumpReadTables(db: Kysely<Database>): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of readTables()) {
    const { rows: columns } = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
    const list = sql.join(columns.map((c) => sql.id(c.column_name)));
    const { rows } = await sql<Record<string, unknown>>`SELECT ${list} FROM ${sql.id('public', table)} ORDER BY ${list}`.execute(db);
    dump[table] = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])));
  }
  return dump;
}

/** What a later migration relies on: columns (type, null, default), index and constraint names and definitions. */
export async function dumpSchema(db: Kysely<Database>): Promise<Record<string, unknown>> {
  const dump: Record<string, unknown> = {};
  for (const table of readTables()) {
    const { rows: columns } = await sql`
      SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
    const { rows: indexes } = await sql`
      SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ${table} ORDER BY indexname`.execute(db);
    const { rows: constraints } = await sql`
      SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname = ${table} ORDER BY c.conname`.execute(db);
    dump[table] = { columns, indexes, constraints };
  }
  return dump;
}

/** Every key of the Redis database with its value (strings, hashes) and whether it expires. */
export async function dumpRedis(redis: Redis): Promise<Record<string, unknown>> {
  const keys = (await redis.keys('*')).sort();
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    const value = type === 'hash' ? await redis.hgetall(key) : type === 'string' ? await redis.get(key) : `<${type}>`;
    dump[key] = { value, expires: (await redis.ttl(key)) >= 0 };
  }
  return dump;
}

export async function countRows(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.id('public', table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
