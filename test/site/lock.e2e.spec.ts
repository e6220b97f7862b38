/**
 * The site lock: two deploy operations on one site run one after the other; on PGlite (one
 * connection) a held lock does not block the database or another site; a renewal run that meets a
 * site's configuration while a deploy holds the site waits for it, then renews.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { runRenewals } from '../../src/commands/renewal/run.js';
import { deploySite } from '../../src/commands/site/deploy.js';
import { siteOfRenewalConfiguration, withSiteLock } from '../../src/commands/site/lock.js';
import { siteRenewalConfigurationId } from '../../src/commands/site/renewal.js';
import { renewalConfigurationStream } from '../../src/domain/renewal-configuration/events.js';
import { ids } from '../../src/infra/ids.js';
import { uniqueName } from '../acme/orders-support.js';
import { DAY, givenCertificate, startSiteStack, type SiteStack } from './support.js';

let stack: SiteStack;
beforeAll(async () => {
  stack = await startSiteStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** A lock holder that keeps the site until `release` is called. */
function hold(siteId: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => { entered = resolve; });
  const done = withSiteLock(stack.siteDeps, siteId, async () => { entered(); await released; });
  return { inside, release, done };
}

describe('site lock', () => {
  it('serializes work on one site; other sites and the database stay usable while it is held (no PGlite self-deadlock)', async () => {
    const siteId = ids.random();
    const held = hold(siteId);
    await held.inside;
    const log: string[] = [];
    const second = withSiteLock(stack.siteDeps, siteId, async () => { log.push('second'); });
    // Another site and plain queries go on meanwhile.
    await withSiteLock(stack.siteDeps, ids.random(), async () => {
      await stack.handle.db.selectFrom('renewal_configurations').select('id').limit(1).execute();
      log.push('other site');
    });
    await sleep(200);
    expect(log).toEqual(['other site']);
    held.release();
    await held.done;
    await second;
    expect(log).toEqual(['other site', 'second']);
  });

  it('a failing holder releases the site', async () => {
    const siteId = ids.random();
    await expect(withSiteLock(stack.siteDeps, siteId, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await withSiteLock(stack.siteDeps, siteId, async () => 'next')).toBe('next');
  });

  it('the renewal run waits while a deploy operation holds the site, then renews', async () => {
    const siteId = ids.random();
    const name = uniqueName('locked');
    // Four days of life from yesterday: due a third before the end, so two days on it is due.
    await deploySite(stack.siteDeps, {
      operation: 'deploy', siteId, hostNames: [name], wish: { kind: 'acme' }, issuer: stack.issuer,
      given: await givenCertificate([name], new Date(Date.now() + 3 * DAY)),
    });
    const configurationId = siteRenewalConfigurationId(siteId, [name]);
    expect(await siteOfRenewalConfiguration(stack.deps.store, configurationId)).toBe(siteId);
    stack.shift(2 * DAY);
    try {
      const held = hold(siteId);
      await held.inside;
      let finished = false;
      const run = runRenewals(stack.siteDeps, { batchSize: 50, concurrency: 2 }).finally(() => { finished = true; });
      await sleep(1_500);
      expect(finished).toBe(false);
      const types = (await stack.deps.store.readStream(renewalConfigurationStream(configurationId))).map((e) => e.type);
      expect(types).not.toContain('RenewalAttemptStarted');
      held.release();
      await held.done;
      const report = await run;
      const outcome = report.outcomes.find((o) => o.configurationId === configurationId);
      expect(outcome, JSON.stringify(report.outcomes)).toMatchObject({ claimed: true, ok: true });
    } finally {
      stack.shift(-2 * DAY);
    }
  });
});
