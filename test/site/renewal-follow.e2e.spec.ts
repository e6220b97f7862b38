/**
 * A site follows its certificates' renewals, and its renewal configuration follows what it serves:
 * the renewal run renews the served certificate from Pebble and the site then serves the new one
 * (later deploys keep it, undeploy stashes it) — and a given certificate that replaces an earlier
 * one with the same names becomes the one the configuration renews (due time, lineage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRenewals } from '../../src/commands/renewal/run.js';
import { processRenewalQueue, updateRenewalQueue } from '../../src/commands/renewal/queue.js';
import { deploySite } from '../../src/commands/site/deploy.js';
import { siteRenewalConfigurationId } from '../../src/commands/site/renewal.js';
import { loadSite } from '../../src/commands/site/stream.js';
import { undeploySite } from '../../src/commands/site/undeploy.js';
import { ids } from '../../src/infra/ids.js';
import { uniqueName } from '../acme/orders-support.js';
import { until } from '../support/until.js';
import { DAY, givenCertificate, ordersFor, renewalRow, startSiteStack, type SiteStack } from './support.js';

let stack: SiteStack;
beforeAll(async () => {
  stack = await startSiteStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const ACME = { kind: 'acme' } as const;

const servedId = async (siteId: string) => {
  const site = await loadSite(stack.deps.store, siteId);
  return site.status === 'deployed' && site.current.kind === 'acme' ? site.current.certificateId : null;
};

const siteRow = (siteId: string) => stack.handle.db.selectFrom('sites').selectAll().where('site_id', '=', siteId).executeTakeFirst();

describe('sites and renewal', () => {
  it('the renewal run renews the served certificate and the site serves the renewed one; a redeploy keeps it, undeploy stashes it', async () => {
    const siteId = ids.random();
    const name = uniqueName('follow');
    // Four days of life from yesterday: due a third before the end, so two days on it is due.
    const first = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer, given: await givenCertificate([name], new Date(Date.now() + 3 * DAY)) });
    const givenId = await servedId(siteId);
    expect(givenId).not.toBeNull();
    expect(first.renewal.configurationId).toBe(siteRenewalConfigurationId(siteId, [name]));
    stack.shift(2 * DAY);
    try {
      const report = await runRenewals(stack.siteDeps, { batchSize: 50, concurrency: 2 });
      const outcome = report.outcomes.find((o) => o.configurationId === first.renewal.configurationId);
      if (!outcome?.claimed || !outcome.ok) throw new Error(`expected a renewal: ${JSON.stringify(report.outcomes)}`);
      expect(outcome.certificateId).not.toBe(givenId);
      expect(await servedId(siteId)).toBe(outcome.certificateId);
      const types = (await stack.deps.store.readStream(`site-${siteId}`)).map((e) => e.type);
      expect(types.at(-1)).toBe('SiteCertificateRenewed');
      const row = await until(() => siteRow(siteId), (r) => r?.current_certificate_id === outcome.certificateId);
      expect(row?.stash).toEqual([]);
      expect((await renewalRow(stack, first.renewal.configurationId!)).latest_certificate_id).toBe(outcome.certificateId);

      // Nothing changed for the site: the renewed certificate is kept, no order.
      const again = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer });
      expect(again.events).toEqual([]);
      const undeployed = await undeploySite(stack.siteDeps, siteId);
      expect(undeployed.state.status === 'undeployed' && undeployed.state.stash.map((c) => c.certificateId)).toEqual([outcome.certificateId]);
      expect(await ordersFor(stack, name)).toHaveLength(1);
    } finally {
      stack.shift(-2 * DAY);
    }
  });

  it('the renewal queue takes the site lock too, and the site follows', async () => {
    const siteId = ids.random();
    const name = uniqueName('queued');
    const first = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer, given: await givenCertificate([name], new Date(Date.now() + 3 * DAY)) });
    const configurationId = first.renewal.configurationId!;
    stack.shift(2 * DAY);
    try {
      await updateRenewalQueue(stack.siteDeps);
      await until(() => stack.handle.db.selectFrom('renewal_queue').select('id').where('renewal_configuration_id', '=', configurationId).where('status', '=', 'queued').execute(), (rows) => rows.length === 1);
      let processed = null;
      for (let i = 0; i < 20 && processed?.configurationId !== configurationId; i++) processed = (await processRenewalQueue(stack.siteDeps)).processed;
      if (!processed?.claimed || !processed.ok) throw new Error(`expected the queued renewal: ${JSON.stringify(processed)}`);
      expect(await servedId(siteId)).toBe(processed.certificateId);
    } finally {
      stack.shift(-2 * DAY);
    }
  });

  it('a given certificate replacing one with the same names becomes the one its configuration renews', async () => {
    const siteId = ids.random();
    const name = uniqueName('adopt');
    const short = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer, given: await givenCertificate([name], new Date(Date.now() + 10 * DAY)) });
    const shortId = (await servedId(siteId))!;
    const configurationId = short.renewal.configurationId!;
    const longGiven = await givenCertificate([name], new Date(Date.now() + 60 * DAY));
    const long = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer, given: longGiven });
    const longId = (await servedId(siteId))!;
    expect(longId).not.toBe(shortId);
    expect(long.renewal.configurationId).toBe(configurationId);
    const row = await renewalRow(stack, configurationId);
    expect(row).toMatchObject({ is_active: true, latest_certificate_id: longId });
    // Due by the long certificate's lifetime, not the short one's.
    expect(row.renew_at!.getTime()).toBeGreaterThan(Date.now() + 30 * DAY);
    const lineage = await stack.handle.db.selectFrom('certificate_lineage').selectAll().where('certificate_id', '=', longId).executeTakeFirstOrThrow();
    expect(lineage).toMatchObject({ replaces_certificate_id: shortId, renewal_configuration_id: configurationId, acme_order_id: null });
    // Nothing is due, so the run orders nothing for it.
    const report = await runRenewals(stack.siteDeps, { batchSize: 50 });
    expect(report.outcomes.map((o) => o.configurationId)).not.toContain(configurationId);
    expect(await ordersFor(stack, name)).toHaveLength(0);
  });
});
