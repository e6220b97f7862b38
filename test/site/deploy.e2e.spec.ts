/**
 * Site handlers against Pebble (dns-01), one table row at a time where it touches I/O: a
 * certificate obtained synchronously and enrolled; a failing order leaves the site without TLS
 * and says why; stash and unstash switch renewal off and on without a new order; a given
 * certificate is imported and enrolled; an expired stashed certificate is deleted on unstash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploySite } from '../../src/commands/site/deploy.js';
import { siteRenewalConfigurationId } from '../../src/commands/site/renewal.js';
import { undeploySite } from '../../src/commands/site/undeploy.js';
import { unstashSiteCertificate } from '../../src/commands/site/unstash.js';
import { importMaterial } from '../../src/commands/site/material.js';
import { ids } from '../../src/infra/ids.js';
import { uniqueName } from '../acme/orders-support.js';
import { DAY, givenCertificate, ordersFor, renewalRow, siteEventTypes, startSiteStack, type SiteStack } from './support.js';

let stack: SiteStack;
beforeAll(async () => {
  stack = await startSiteStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const ACME = { kind: 'acme' } as const;
const NONE = { kind: 'none' } as const;

describe('site handlers', () => {
  it('wants ACME with nothing to use: obtains one synchronously, serves it and enrolls it; no TLS then ACME again stashes and unstashes without a new order', async () => {
    const siteId = ids.random();
    const name = uniqueName('site');
    const first = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer });
    expect(first.tlsFailure).toBeNull();
    expect(first.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteAcmeIssueStarted', 'SiteAcmeCertificateAssigned']);
    if (first.state.status !== 'deployed' || first.state.current.kind !== 'acme') throw new Error('expected an ACME certificate');
    const certificateId = first.state.current.certificateId;
    const configurationId = siteRenewalConfigurationId(siteId, [name]);
    expect(first.renewal.configurationId).toBe(configurationId);
    expect(await renewalRow(stack, configurationId)).toMatchObject({ is_active: true, latest_certificate_id: certificateId, acme_account_id: stack.issuer.accountId });

    // Row 1: no TLS wanted → stashed, not renewed.
    const plain = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: NONE, issuer: stack.issuer });
    expect(plain.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteCertificateStashed', 'SiteServedWithoutTls']);
    expect((await renewalRow(stack, configurationId)).is_active).toBe(false);

    // Row 2: ACME again → the stashed one comes back, renewal on again, no second order.
    const back = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer });
    expect(back.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteCertificateUnstashed']);
    expect(back.state.status === 'deployed' && back.state.current.kind === 'acme' && back.state.current.certificateId).toBe(certificateId);
    expect((await renewalRow(stack, configurationId)).is_active).toBe(true);

    // Row 7: undeploy stashes it; a later deploy unstashes it.
    await undeploySite(stack.siteDeps, siteId);
    expect((await renewalRow(stack, configurationId)).is_active).toBe(false);
    const again = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, issuer: stack.issuer });
    expect(again.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteCertificateUnstashed']);
    expect((await renewalRow(stack, configurationId)).is_active).toBe(true);
    expect(await ordersFor(stack, name)).toHaveLength(1);
  });

  it('a failing order deploys the site without TLS and says why', async () => {
    const siteId = ids.random();
    const out = await deploySite(stack.siteDeps, {
      operation: 'deploy', siteId, hostNames: [uniqueName('fail')], wish: ACME, issuer: { accountId: ids.random(), challengeType: 'dns-01' },
    });
    expect(out.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteAcmeIssueStarted', 'SiteServedWithoutTls']);
    expect(out.tlsFailure).toMatch(/not found/i);
    expect(out.state.status === 'deployed' && out.state.current.kind).toBe('none');
    expect(out.renewal.configurationId).toBeNull();
  });

  it('a given unexpired certificate is imported and enrolled; a later given one replaces it and stashes it; unstashing it once expired deletes it', async () => {
    const siteId = ids.random();
    const name = uniqueName('given');
    const short = await givenCertificate([name], new Date(Date.now() + 2 * DAY));
    const first = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, given: short, issuer: stack.issuer });
    expect(first.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteAcmeCertificateAssigned']);
    if (first.state.status !== 'deployed' || first.state.current.kind !== 'acme') throw new Error('expected the given certificate');
    const shortId = first.state.current.certificateId;
    const configurationId = siteRenewalConfigurationId(siteId, [name]);
    expect(await renewalRow(stack, configurationId)).toMatchObject({ is_active: true, latest_certificate_id: shortId });

    // Row 5: the given one expires later → used, the current one stashed.
    const long = await givenCertificate([name], new Date(Date.now() + 30 * DAY));
    const second = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, given: long, issuer: stack.issuer });
    expect(second.events.map((e) => e.type)).toEqual(['SiteCertificateStashed', 'SiteAcmeCertificateAssigned']);
    expect(second.state.status === 'deployed' && second.state.stash.map((c) => c.certificateId)).toEqual([shortId]);

    // Row 9: three days on, the stashed one has expired: unstash deletes it silently.
    stack.shift(3 * DAY);
    try {
      const unstashed = await unstashSiteCertificate(stack.siteDeps, siteId, shortId);
      expect(unstashed.events.map((e) => e.type)).toEqual(['SiteStashedCertificateDiscarded']);
      expect(unstashed.state.status === 'deployed' && unstashed.state.stash).toEqual([]);
      expect(unstashed.state.status === 'deployed' && unstashed.state.current.kind).toBe('acme');
    } finally {
      stack.shift(-3 * DAY);
    }
    expect(await ordersFor(stack, name)).toHaveLength(0);
  });

  it('row 6: its own certificate wanted while it has an ACME one → the ACME one is stashed and no longer renewed', async () => {
    const siteId = ids.random();
    const name = uniqueName('own');
    await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, given: await givenCertificate([name], new Date(Date.now() + 20 * DAY)), issuer: stack.issuer });
    const own = await importMaterial(stack.siteDeps, await givenCertificate([name], new Date(Date.now() + 40 * DAY)), {});
    const out = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: { kind: 'own', certificateId: own.certificateId } });
    expect(out.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteCertificateStashed', 'SiteOwnCertificateAssigned']);
    expect((await renewalRow(stack, siteRenewalConfigurationId(siteId, [name]))).is_active).toBe(false);
    expect(await siteEventTypes(stack, siteId)).toContain('SiteOwnCertificateAssigned');
  });

  it('row 4: nothing served, a stashed certificate and a given one → whichever expires later; row 3: an expired given one is ignored and the current kept', async () => {
    const siteId = ids.random();
    const name = uniqueName('later');
    const stashed = await deploySite(stack.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: ACME, given: await givenCertificate([name], new Date(Date.now() + 30 * DAY)), issuer: stack.issuer });
    const stashedId = stashed.state.status === 'deployed' && stashed.state.current.kind === 'acme' ? stashed.state.current.certificateId : '';
    await undeploySite(stack.siteDeps, siteId);

    const later = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, given: await givenCertificate([name], new Date(Date.now() + 60 * DAY)), issuer: stack.issuer });
    expect(later.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteAcmeCertificateAssigned']);
    if (later.state.status !== 'deployed' || later.state.current.kind !== 'acme') throw new Error('expected the given certificate');
    expect(later.state.current.certificateId).not.toBe(stashedId);
    expect(later.state.stash.map((c) => c.certificateId)).toEqual([stashedId]);

    const expired = await givenCertificate([name], new Date(Date.now() - 60_000), new Date(Date.now() - 10 * DAY));
    const kept = await deploySite(stack.siteDeps, { operation: 'redeploy', siteId, hostNames: [name], wish: ACME, given: expired, issuer: stack.issuer });
    expect(kept.events).toEqual([]);
    expect(kept.state.status === 'deployed' && kept.state.current.kind === 'acme' && kept.state.current.certificateId).toBe(later.state.current.certificateId);
    expect(await ordersFor(stack, name)).toHaveLength(0);
  });
});
