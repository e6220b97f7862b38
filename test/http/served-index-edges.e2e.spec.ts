import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogProjections } from '../../src/projections/index.js';
import { createCheckpointWatcher } from '../../src/projections/checkpoint-watcher.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { answerOf, startFastServer, type FastServer } from './served-index-support.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
const TOKEN = 'served-index-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const path = (name: string, query = '') => `${PREFIX}/domain/${name}/config.json${query}`;

describe('the served index at its edges (postgres)', () => {
  let stack: TestStack;
  let ca: TestCa;
  const servers: FastServer[] = [];
  const serve = async (options: Parameters<typeof startFastServer>[1] = {}) => {
    const server = await startFastServer(stack, options);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    stack = await startTestStack('postgres', { adminToken: TOKEN, redis: true });
    ca = await createCa({ issuer: await createCa() });
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.close();
    await stack?.close();
  });

  const upload = async (names: string[], notAfter?: Date) => {
    const leaf = await issueLeaf(ca, { names, notAfter });
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', headers: auth, body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
    });
    expect(res.status).toBe(200);
    return (await json(res)).certificate.id as string;
  };
  const servedId = async (url: string, name: string) => JSON.parse((await answerOf(`${url}${path(name)}`, { headers: auth })).body).certificate_signed__latest_single.id;

  it('keeps the token: 401 exactly as Express without it or with a wrong one, the answer with it', async () => {
    await upload(['auth.edges.test']);
    const fast = await serve();
    await fast.index.sync();
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }];
    for (const headers of variants) {
      const ours = await answerOf(`${fast.url}${path('auth.edges.test')}`, { headers });
      expect([401, 403]).toContain(ours.status);
      expect(ours).toEqual(await answerOf(`${stack.admin.url}${path('auth.edges.test')}`, { headers }));
    }
    expect(fast.lookup.counts.fast).toBe(0);
    const ours = await answerOf(`${fast.url}${path('auth.edges.test')}`, { headers: auth });
    expect(ours).toEqual(await answerOf(`${stack.admin.url}${path('auth.edges.test')}`, { headers: auth }));
    expect(fast.lookup.counts.fast).toBe(1);
  });

  it('answers alike with a budget too small to keep any fragment', async () => {
    await upload(['budget.edges.test']);
    const fast = await serve({ budgetBytes: 1 });
    await fast.index.sync();
    for (let i = 0; i < 2; i++) {
      expect(await answerOf(`${fast.url}${path('budget.edges.test')}`, { headers: auth }))
        .toEqual(await answerOf(`${stack.admin.url}${path('budget.edges.test')}`, { headers: auth }));
    }
    expect(fast.lookup.counts.fast).toBe(2);
    expect(fast.index.stats()).toMatchObject({ fragments: 0, fragmentBytes: 0 });
  });

  it('writes the same Redis prime keys as the route with ?openresty=1', async () => {
    await upload(['prime.edges.test', 'prime2.edges.test']);
    const fast = await serve();
    await fast.index.sync();
    const keys = ['d1:prime.edges.test', 'd2:prime.edges.test'];
    const primed = async () => Promise.all(keys.map((k) => stack.redis!.hgetall(k)));
    await stack.redis!.del(...keys);
    const reference = await answerOf(`${stack.admin.url}${path('prime.edges.test', '?openresty=1')}`, { headers: auth });
    const byRoute = await primed();
    await stack.redis!.del(...keys);
    expect(await answerOf(`${fast.url}${path('prime.edges.test', '?openresty=1')}`, { headers: auth })).toEqual(reference);
    expect(fast.lookup.counts.fast).toBe(1);
    expect(await primed()).toEqual(byRoute);
    expect(byRoute[0]).toHaveProperty('c');
    await stack.redis!.del(...keys);
  });

  it('follows the checkpoint watcher in a process without the projector: read-your-writes through its waitFor', async () => {
    await upload(['watcher.edges.test']);
    const watcher = createCheckpointWatcher(stack.handle.db, catalogProjections, 20);
    watcher.start();
    try {
      const fast = await serve({ projections: watcher });
      await watcher.waitFor(await stack.deps.store.headPosition());
      await fast.index.sync();
      const newer = await upload(['watcher.edges.test'], new Date(Date.now() + 200 * DAY));
      await watcher.waitFor(await stack.deps.store.headPosition());
      expect(await servedId(fast.url, 'watcher.edges.test')).toBe(newer);
      await fast.index.sync();
      const before = fast.lookup.counts.fast;
      expect(await servedId(fast.url, 'watcher.edges.test')).toBe(newer);
      expect(fast.lookup.counts.fast).toBe(before + 1);
    } finally {
      await watcher.stop();
    }
  });

  it('forgets what update-recents repairs: it writes rows without an event', async () => {
    const id = await upload(['repair.edges.test']);
    const fast = await serve();
    // A broken read model, as update-recents exists to repair; the index loads it as it is.
    await sql`update domains set certificate_latest_single_id = null where domain_name = 'repair.edges.test'`.execute(stack.handle.db);
    fast.index.invalidate();
    await fast.index.sync();
    expect(JSON.parse((await answerOf(`${fast.url}${path('repair.edges.test')}`, { headers: auth })).body).certificate_signed__latest_single).toBeNull();
    const res = await fetch(`${fast.url}/api/v1/maintenance/update-recents`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(await servedId(fast.url, 'repair.edges.test')).toBe(id);
    await fast.index.sync();
    const before = fast.lookup.counts.fast;
    expect(await servedId(fast.url, 'repair.edges.test')).toBe(id);
    expect(fast.lookup.counts.fast).toBe(before + 1);
  });

  it('while a full load is still reading pages, an unknown name goes to the database, not to a 404', async () => {
    const id = await upload(['late-page.edges.test']);
    const held: (() => void)[] = [];
    let shut = false;
    let pages = 0;
    const gate: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        // The first page goes through; the second waits (and only it): the index is at the checkpoint but not whole.
        if (shut && (pages += 1) === 2) await new Promise<void>((resolve) => held.push(resolve));
        return args.result;
      },
    };
    shut = true;
    const fast = await serve({ db: stack.handle.db.withPlugin(gate), settings: { pageSize: 1 } });
    while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
    const before = fast.lookup.counts.fast;
    // Whichever page it is on, the answer is the certificate: from memory, or from the database while the rest loads.
    expect(await servedId(fast.url, 'late-page.edges.test')).toBe(id);
    const missing = await answerOf(`${fast.url}${path('never-uploaded.edges.test')}`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(fast.lookup.counts.fast - before).toBeLessThanOrEqual(1);
    shut = false;
    for (const release of held.splice(0)) release();
    await fast.index.sync();
    const fastBefore = fast.lookup.counts.fast;
    expect((await answerOf(`${fast.url}${path('never-uploaded.edges.test')}`, { headers: auth })).status).toBe(404);
    expect(fast.lookup.counts.fast).toBe(fastBefore + 1);
  });

  it('never serves rows read before an advance as current after it', async () => {
    const first = await upload(['race.edges.test']);
    // Every read of the index's database waits here while the gate is shut: the rows are read, not yet kept.
    const held: (() => void)[] = [];
    let shut = true;
    const gate: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (shut) await new Promise<void>((resolve) => held.push(resolve));
        return args.result;
      },
    };
    const fast = await serve({ db: stack.handle.db.withPlugin(gate) });
    const until = async (n: number) => {
      while (held.length < n) await new Promise((r) => setTimeout(r, 5));
    };
    await until(1); // the full load's page holds the old row of race.edges.test
    const newer = await upload(['race.edges.test'], new Date(Date.now() + 200 * DAY));
    held.shift()!(); // the page is kept; the refresh for the upload's events now waits in turn
    await until(1);
    expect(fast.index.stats().domains).toBeGreaterThan(0);
    expect(await servedId(fast.url, 'race.edges.test')).toBe(newer);
    expect(fast.lookup.counts.fast).toBe(0);
    shut = false;
    for (const release of held.splice(0)) release();
    await fast.index.sync();
    expect(await servedId(fast.url, 'race.edges.test')).toBe(newer);
    expect(fast.lookup.counts.fast).toBe(1);
    expect(first).not.toBe(newer);
  });
});
