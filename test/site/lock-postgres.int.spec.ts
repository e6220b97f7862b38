/**
 * On a PostgreSQL server the site lock also holds across processes: two Kysely instances (as two
 * processes would have) on one database serialize on the advisory lock, not on the in-process queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSiteLock } from '../../src/commands/site/lock.js';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { Database } from '../../src/infra/db/schema.js';
import { ids } from '../../src/infra/ids.js';
import { openTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let other: Kysely<Database>;
const store = { kind: 'postgres' as const };

beforeAll(async () => {
  handle = await openTestDatabase('postgres');
  other = new Kysely<Database>({ dialect: new PostgresDialect({ pool: handle.pool! }) });
});
afterAll(async () => {
  await handle?.close();
});

describe('site lock on PostgreSQL', () => {
  it('a second "process" waits for the first on the same site, not on another site', async () => {
    const siteId = ids.random();
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => { entered = resolve; });
    const first = withSiteLock({ db: handle.db, store }, siteId, async () => { entered(); await released; });
    await inside;
    const log: string[] = [];
    const second = withSiteLock({ db: other, store }, siteId, async () => { log.push('same site'); });
    await withSiteLock({ db: other, store }, ids.random(), async () => { log.push('other site'); });
    await sleep(300);
    expect(log).toEqual(['other site']);
    release();
    await first;
    await second;
    expect(log).toEqual(['other site', 'same site']);
  });
});

describe('site lock holders and the pool', () => {
  it('more sites at once than the pool has connections, each querying while it holds its lock: all finish', async () => {
    const sites = Array.from({ length: 16 }, () => ids.random());
    const results = await Promise.all(sites.map((siteId) => withSiteLock({ db: handle.db, store }, siteId, async () => {
      await sleep(20);
      const row = await handle.db.selectFrom('renewal_configurations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return row.n;
    })));
    expect(results).toHaveLength(16);
  });
});
