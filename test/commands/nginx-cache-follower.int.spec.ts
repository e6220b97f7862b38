/**
 * The automatic nginx expiry follower (src/commands/nginx-cache/auto-expire.ts) on PGlite against
 * a real nginx running certledger.lua's admin handler and a dead URL: where it starts, what it
 * sends for which batch, and that a server that is down is recorded without stopping it.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changeChainPreference } from '../../src/commands/chain-preference/change-chain-preference.js';
import { createNginxExpiryFollower, NGINX_EXPIRY_CHECKPOINT, type NginxExpiryFollower } from '../../src/commands/nginx-cache/auto-expire.js';
import type { NginxCacheExpired } from '../../src/domain/nginx-cache/events.js';
import { nginxCacheStreams } from '../../src/domain/shared/ids.js';
import { createNginxCacheClient } from '../../src/infra/nginx/client.js';
import type { NginxCacheClient } from '../../src/infra/nginx/port.js';
import { silentLogger } from '../../src/infra/logger.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { freePort, NGINX_CACHE_LOCATION, startNginxCache, type TestNginxCache } from '../support/nginx.js';
import { createTestChain, type TestChain } from '../support/pki.js';
import { until } from '../support/until.js';

const PREFIX = '/.well-known/peter_sslers';
const EXPIRE = `${NGINX_CACHE_LOCATION}expire`;

describe('nginx expiry follower (pglite, real nginx)', () => {
  let stack: TestStack;
  let nginx: TestNginxCache;
  let client: NginxCacheClient;
  let dead: string;
  let follower: NginxExpiryFollower | undefined;
  /** Requests nginx had seen at each waitForServed call, with the position asked for. */
  const servedCalls: { position: bigint; requestsSoFar: number }[] = [];
  const run = randomBytes(4).toString('hex');

  const upload = async (chain: TestChain): Promise<void> => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(res.status).toBe(200);
    await json(res);
  };
  const recorded = async () => (await stack.deps.store.readStream(nginxCacheStreams.nginxCache())).map((e) => e.data as NginxCacheExpired['data']);
  const startFollower = () => {
    follower = createNginxExpiryFollower({
      store: stack.deps.store, db: stack.handle.db, nginx: client, now: () => new Date(), logger: silentLogger,
      settings: { pollIntervalMs: 50, retryInitialMs: 20, retryMaxMs: 200, servedTimeoutMs: 10_000 },
      waitForServed: async (position, timeoutMs) => {
        servedCalls.push({ position, requestsSoFar: (await nginx.requests()).length });
        await stack.projectionSet.waitFor(position, { projections: ['catalog'], timeoutMs });
      },
    });
    follower.start();
    return follower;
  };
  /** The follower has gone through everything appended so far. */
  const caughtUp = async () => {
    const head = await stack.deps.store.headPosition();
    await until(() => follower!.status().position ?? -1n, (p) => p >= head);
  };

  beforeAll(async () => {
    nginx = await startNginxCache();
    dead = `http://127.0.0.1:${await freePort()}`;
    client = createNginxCacheClient({ servers: [nginx.url, dead], expirePath: EXPIRE, statusPath: `${NGINX_CACHE_LOCATION}status`, timeoutMs: 1_000 });
    stack = await startTestStack('pglite');
  }, 60_000);
  afterEach(async () => {
    await follower?.stop();
    follower = undefined;
  });
  afterAll(async () => {
    await stack?.close();
    await client?.close();
    await nginx?.stop();
  });

  it('starts at the head on a fresh install: history already served is not expired', async () => {
    await upload(await createTestChain({ names: [`old-${run}.follow.test`], keyAlgorithm: 'EC' }));
    const head = await stack.deps.store.headPosition();
    startFollower();
    await caughtUp();
    const row = await stack.handle.db.withTables<{ nginx_expiry_checkpoints: { name: string; position: bigint } }>()
      .selectFrom('nginx_expiry_checkpoints').select('position').where('name', '=', NGINX_EXPIRY_CHECKPOINT).executeTakeFirstOrThrow();
    expect(row.position).toBe(head);
    expect(await nginx.requests()).toEqual([]);
    expect(await recorded()).toEqual([]);
  });

  it('sends nothing for a batch with no certificate change', async () => {
    await stack.deps.store.append(`unrelated-${randomUUID()}`, [{ type: 'UnrelatedThingHappened', data: { n: 1 } }], { expectedRevision: 'no_stream' });
    startFollower();
    await caughtUp();
    expect(await nginx.requests()).toEqual([]);
    expect(await recorded()).toEqual([]);
    expect(servedCalls).toEqual([]);
  });

  it('expires the names of an imported certificate after the catalog has it, records the dead server, and goes on', async () => {
    startFollower();
    const first = `a-${run}.follow.test`;
    await upload(await createTestChain({ names: [first, `www.${first}`], keyAlgorithm: 'EC' }));
    const events = await until(recorded, (list) => list.length === 1);
    expect(events[0]).toMatchObject({ scope: 'domains', domainNames: [first, `www.${first}`], trigger: 'certificate-changed' });
    expect(events[0]?.results).toEqual([
      expect.objectContaining({ server: nginx.url, ok: true, status: 200 }),
      expect.objectContaining({ server: dead, ok: false, error: expect.stringMatching(/ECONNREFUSED/) }),
    ]);
    expect(BigInt(events[0]!.upTo!)).toBeGreaterThan(0n);
    expect((await nginx.requests()).sort()).toEqual([`GET ${EXPIRE}/domain/${first} 200`, `GET ${EXPIRE}/domain/www.${first} 200`]);
    // The served view was awaited for the batch's last position before any request went out.
    expect(servedCalls.at(-1)).toEqual({ position: BigInt(events[0]!.upTo!), requestsSoFar: 0 });

    // The dead server did not stop it: the next import is expired too, and the follower's own event is not.
    const second = `b-${run}.follow.test`;
    await upload(await createTestChain({ names: [second], keyAlgorithm: 'EC' }));
    const after = await until(recorded, (list) => list.length === 2);
    expect(after[1]).toMatchObject({ scope: 'domains', domainNames: [second] });
    await caughtUp();
    expect(await recorded()).toHaveLength(2);
    expect(follower!.status().lastError).toBeUndefined();
  });

  it('expires everything when the chain preference policy changes', async () => {
    const chain = await createTestChain({ names: [`c-${run}.follow.test`], keyAlgorithm: 'EC' });
    await upload(chain);
    await stack.projectionSet.waitFor(await stack.deps.store.headPosition(), { timeoutMs: 10_000 });
    startFollower();
    await caughtUp();
    const before = (await recorded()).length;
    const requestsBefore = (await nginx.requests()).length;
    const sha1 = new X509Certificate(chain.intermediate.certPem).fingerprint.replaceAll(':', '').toLowerCase();
    const changed = await changeChainPreference(
      { store: stack.deps.store, db: stack.handle.db, now: () => new Date() },
      { type: 'SetChainPreferencePolicy', fingerprintsSha1: [sha1] },
    );
    expect(changed.changed).toBe(true);
    const events = await until(recorded, (list) => list.length === before + 1);
    expect(events.at(-1)).toMatchObject({ scope: 'all', trigger: 'certificate-changed', upTo: changed.position!.toString() });
    expect(events.at(-1)?.domainNames).toBeUndefined();
    expect((await nginx.requests()).slice(requestsBefore)).toEqual([`GET ${EXPIRE}/all 200`]);
  });
});
