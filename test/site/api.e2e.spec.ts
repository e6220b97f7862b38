/**
 * /api/v1/sites against Pebble (dns-01): deploy through the API, show reflects it (and the stash
 * after tls=none), bad input is a 400 naming the field with nothing written, and a backup taken
 * on one installation is restored on a second through the API without a new order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteStreams } from '../../src/domain/shared/ids.js';
import { ids } from '../../src/infra/ids.js';
import { json } from '../support/app.js';
import { uniqueName } from '../acme/orders-support.js';
import { ordersFor, startSiteStack, type SiteStack } from './support.js';

let a: SiteStack;
let b: SiteStack;
beforeAll(async () => {
  [a, b] = await Promise.all([startSiteStack(), startSiteStack()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const post = (stack: SiteStack, path: string, body?: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
});
const issuerOf = (stack: SiteStack) => ({ acme_account_id: stack.issuer.accountId, challenge_type: stack.issuer.challengeType });

describe('/api/v1/sites', () => {
  it('deploys with ACME, shows it, stashes after tls=none and shows the stash', async () => {
    const siteId = ids.random();
    const name = uniqueName('api-site');
    const deployed = await post(a, `/sites/${siteId}/deploy`, { host_names: [name], tls: 'acme', ...issuerOf(a) });
    expect(deployed.status).toBe(200);
    const body = await json(deployed);
    expect(body.events).toEqual(['SiteDeployed', 'SiteAcmeIssueStarted', 'SiteAcmeCertificateAssigned']);
    expect(body.tls_failure).toBeNull();
    const certificateId = body.site.current.certificate_id;
    expect(body.site).toMatchObject({ site_id: siteId, status: 'deployed', host_names: [name], wish: { kind: 'acme' }, current: { kind: 'acme' } });

    const shown = await json(await fetch(`${a.admin.url}/api/v1/sites/${siteId}`));
    expect(shown).toMatchObject({ site_id: siteId, current: { kind: 'acme', certificate_id: certificateId }, stashed_certificates: [] });

    const plain = await json(await post(a, `/sites/${siteId}/deploy`, { host_names: [name], tls: 'none' }));
    expect(plain.events).toEqual(['SiteDeployed', 'SiteCertificateStashed', 'SiteServedWithoutTls']);
    const stashed = await json(await fetch(`${a.admin.url}/api/v1/sites/${siteId}`));
    expect(stashed).toMatchObject({ current: { kind: 'none' }, stashed_certificates: [{ certificate_id: certificateId, stashed: true }] });

    const listed = await json(await fetch(`${a.admin.url}/api/v1/sites?host=${name.toUpperCase()}`));
    expect(listed).toMatchObject({ total: 1, items: [{ site_id: siteId, current: { kind: 'none' }, stashed_certificates: [{ certificate_id: certificateId, stashed: true }] }] });
    expect((await json(await fetch(`${a.admin.url}/api/v1/sites?limit=1`))).items).toHaveLength(1);
    expect((await fetch(`${a.admin.url}/api/v1/sites?limit=0`)).status).toBe(400);

    // Certificate listings show stashed certificates too, marked, and can filter on it.
    const certificates = await json(await fetch(`${a.admin.url}/api/v1/certificates?domain=${name}`));
    expect(certificates.items).toEqual([expect.objectContaining({ id: certificateId, is_stashed: true, sites: [{ site_id: siteId, role: 'stashed' }] })]);
    const onlyStashed = await json(await fetch(`${a.admin.url}/api/v1/certificates?stashed=true&limit=1000`));
    expect(onlyStashed.items.map((c: { id: string }) => c.id)).toContain(certificateId);
    expect(onlyStashed.items.every((c: { is_stashed: boolean }) => c.is_stashed)).toBe(true);
    const notStashed = await json(await fetch(`${a.admin.url}/api/v1/certificates?stashed=false&limit=1000`));
    expect(notStashed.items.map((c: { id: string }) => c.id)).not.toContain(certificateId);
    expect((await json(await fetch(`${a.admin.url}/api/v1/certificates/${certificateId}`))).certificate).toMatchObject({ is_stashed: true, sites: [{ site_id: siteId, role: 'stashed' }] });
    expect((await fetch(`${a.admin.url}/api/v1/certificates?stashed=perhaps`)).status).toBe(400);

    const undeployed = await json(await post(a, `/sites/${siteId}/undeploy`));
    expect(undeployed.site.status).toBe('undeployed');
  });

  it('answers 400 naming the field and writes nothing', async () => {
    const siteId = ids.random();
    const cases: [unknown, string][] = [
      [{ host_names: ['ok.example.test'], tls: 'maybe' }, 'tls'],
      [{ host_names: ['not a name'], tls: 'acme' }, 'host_names.0'],
      [{ tls: 'acme' }, 'host_names'],
      [{ host_names: ['ok.example.test'], tls: 'own' }, 'certificate'],
      [{ host_names: ['ok.example.test'], tls: 'acme', challenge_type: 'tls-alpn-01' }, 'challenge_type'],
      [{ host_names: ['ok.example.test'], tls: 'acme', extra: 1 }, 'extra'],
    ];
    for (const [input, field] of cases) {
      const res = await post(a, `/sites/${siteId}/deploy`, input);
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(JSON.stringify(await json(res)), JSON.stringify(input)).toContain(field);
    }
    expect(await a.deps.store.readStream(siteStreams.site(siteId))).toHaveLength(0);
    expect((await fetch(`${a.admin.url}/api/v1/sites/${siteId}`)).status).toBe(404);
    expect((await post(a, '/sites/restore', { site_id: siteId })).status).toBe(400);
  });

  it('backs up on one installation and restores on a second through the API, with no new order', async () => {
    const siteId = ids.random();
    const name = uniqueName('api-moved');
    const deployed = await json(await post(a, `/sites/${siteId}/deploy`, { host_names: [name], tls: 'acme', ...issuerOf(a) }));
    const certificateId = deployed.site.current.certificate_id;

    const backup = await post(a, `/sites/${siteId}/backup`);
    expect(backup.status).toBe(200);
    const description = await json(backup);
    expect(description).toMatchObject({ site_id: siteId, host_names: [name], wish: { kind: 'acme' }, deployed: true, certificate: { certificate_id: certificateId } });
    expect(description.certificate.key_pem).toContain('BEGIN PRIVATE KEY');

    const restored = await post(b, '/sites/restore', { ...description, ...issuerOf(b) });
    expect(restored.status).toBe(200);
    const body = await json(restored);
    expect(body.events).toEqual(['SiteDeployed', 'SiteAcmeCertificateAssigned']);
    expect(body.order_id).toBeNull();
    expect(body.site.current).toMatchObject({ kind: 'acme', certificate_id: certificateId });
    expect(await ordersFor(b, name)).toHaveLength(0);
  });
});
