/**
 * A rebuild while the service keeps serving: uploads continue and readers keep reading during the
 * whole rebuild of every projection; nothing fails, no reader sees a table empty or shrinking, and
 * afterwards a rebuild of the whole log equals what the live runners made. Also: one rebuild of a
 * projection at a time (409), in this process and against another one.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogProjections } from '../../src/projections/index.js';
import { rebuildBeside } from '../../src/projections/rebuild/rebuild-beside.js';
import { RebuildRunningError } from '../../src/projections/rebuild/rebuild-lock.js';
import { json, startTestStack, type TestStack } from '../support/app.js';
import { countRows, dumpReadTables, seedCatalog, uploadMany } from './rebuild-support.js';

/** Uploads made before the rebuild (a log of a few thousand events) and during it. */
const PRELOAD = 400;
const DURING = 60;

describe.each(['pglite', 'postgres'] as const)('a rebuild while the service serves (%s)', (kind) => {
  let stack: TestStack;
  const tag = randomBytes(4).toString('hex');
  const caughtUp = async () => stack.projectionSet.waitFor(await stack.deps.store.headPosition(), { timeoutMs: 30_000 });

  beforeAll(async () => {
    stack = await startTestStack(kind);
    await seedCatalog(stack, tag);
    await Promise.all([0, 1, 2, 3].map((lane) => uploadMany(stack, `${tag}-pre${lane}`, PRELOAD / 4)));
    await caughtUp();
  }, 240_000);
  afterAll(async () => stack?.close());

  it('keeps answering and writing during the rebuild; afterwards a rebuild from scratch equals live', async () => {
    const known = `single-${tag}.rebuild.test`;
    const startTotal = (await json(await fetch(`${stack.admin.url}/api/v1/certificates?limit=1`))).total as number;
    let rebuilding = true;
    const failures: string[] = [];
    const totals: number[] = [];
    // Readers: a domain's config.json and the certificate count, as fast as they are answered.
    const readers = (async () => {
      let reads = 0;
      while (rebuilding) {
        const served = await fetch(`${stack.admin.url}/.well-known/peter_sslers/domain/${known}/config.json?idonly=1`);
        const body = await json(served);
        if (served.status !== 200 || !body.certificate_signed__latest_single) failures.push(`config.json ${served.status}`);
        const list = await json(await fetch(`${stack.admin.url}/api/v1/certificates?limit=1`));
        totals.push(list.total);
        reads += 1;
      }
      return reads;
    })();
    const writers = uploadMany(stack, `${tag}-during`, DURING);

    const started = performance.now();
    const res = await fetch(`${stack.admin.url}/api/v1/projections/all/rebuild`, { method: 'POST' });
    const body = await json(res);
    const rebuildMs = performance.now() - started;
    await writers;
    rebuilding = false;
    const reads = await readers;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(failures).toEqual([]);
    // Never an empty or half-built table: the count only grows (uploads add certificates).
    expect(totals.length).toBeGreaterThan(0);
    expect(Math.min(...totals)).toBeGreaterThanOrEqual(startTotal);
    for (let i = 1; i < totals.length; i += 1) expect(totals[i]).toBeGreaterThanOrEqual(totals[i - 1] as number);
    console.log(`[rebuild ${kind}, under load] ${body.events} events in ${Math.round(rebuildMs)} ms (${body.events_per_second} events/s) while ${DURING} uploads and ${reads} reads ran; swap attempts:`,
      body.results.map((r: { name: string; swap_attempts: number }) => `${r.name} ${r.swap_attempts}`).join(', '));

    await caughtUp();
    expect(await countRows(stack.handle.db, 'certificates')).toBe(startTotal + DURING);
    const live = await dumpReadTables(stack.handle.db);
    const again = await fetch(`${stack.admin.url}/api/v1/projections/all/rebuild`, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(await dumpReadTables(stack.handle.db)).toEqual(live);
  });

  if (kind === 'postgres') {
    it('lets a long reader finish: the swap gives up its lock wait and tries again, readers never queue for long', async () => {
      const catalog = catalogProjections.find((p) => p.name === 'catalog')!;
      const reader = new pg.Client({ connectionString: (stack.handle.pool!.options as { connectionString: string }).connectionString });
      await reader.connect();
      try {
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM certificates');
        const rebuilt = rebuildBeside(stack.deps, catalog, { swapLockTimeoutMs: 200 });
        // The swap is waiting for the reader's table: it will give up after 200 ms and try again.
        const waiting = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock'`.execute(stack.handle.db)).rows[0]!.n;
        for (let i = 0; i < 600 && (await waiting()) === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
        expect(await waiting()).toBe(1);
        // Meanwhile other readers are served (queued at most one lock wait behind the swap).
        const started = performance.now();
        const served = await fetch(`${stack.admin.url}/api/v1/certificates?limit=1`);
        expect(served.status).toBe(200);
        expect(performance.now() - started).toBeLessThan(1_000);
        await reader.query('COMMIT');
        const result = await rebuilt;
        expect(result.swapAttempts).toBeGreaterThan(1);
      } finally {
        await reader.end();
      }
    });
  }

  it('runs one rebuild of a projection at a time: 409 in this process and against another', async () => {
    const catalog = catalogProjections.find((p) => p.name === 'catalog')!;
    const first = rebuildBeside(stack.deps, catalog);
    await expect(rebuildBeside(stack.deps, catalog)).rejects.toBeInstanceOf(RebuildRunningError);
    await first;

    // Another process's claim (fresh heartbeat) is honoured; a stale one (a dead process) is taken over.
    await stack.handle.db.insertInto('projection_rebuilds').values({ name: 'acme', run_id: 'elsewhere', started_at: sql`now()`, heartbeat_at: sql`now()` }).execute();
    const listed = await json(await fetch(`${stack.admin.url}/api/v1/projections`));
    expect(listed.rebuilding.map((r: { name: string }) => r.name)).toEqual(['acme']);
    const busy = await fetch(`${stack.admin.url}/api/v1/projections/acme/rebuild`, { method: 'POST' });
    expect(busy.status).toBe(409);
    expect((await json(busy)).message).toBe('a rebuild of acme is already running');
    expect((await fetch(`${stack.admin.url}/api/v1/projections/all/rebuild`, { method: 'POST' })).status).toBe(409);
    await stack.handle.db.updateTable('projection_rebuilds').set({ heartbeat_at: sql`now() - interval '1 hour'` }).where('name', '=', 'acme').execute();
    const taken = await fetch(`${stack.admin.url}/api/v1/projections/acme/rebuild`, { method: 'POST' });
    expect(taken.status).toBe(200);
    expect(await stack.handle.db.selectFrom('projection_rebuilds').selectAll().execute()).toEqual([]);
  });
});
