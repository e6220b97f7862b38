/**
 * A backup taken on one installation (stack A) restored on a second (stack B: its own database
 * and master key): B serves the same certificate (same fingerprint, config.json for the name)
 * and enrolls it for renewal, without a new ACME order on B. The key travels in the description,
 * never in the site's events.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backUpSite, type SiteDescription } from '../../src/commands/site/backup.js';
import { deploySite } from '../../src/commands/site/deploy.js';
import { siteRenewalConfigurationId } from '../../src/commands/site/renewal.js';
import { restoreSite } from '../../src/commands/site/restore.js';
import { siteStreams } from '../../src/domain/shared/ids.js';
import { ids } from '../../src/infra/ids.js';
import { json } from '../support/app.js';
import { uniqueName } from '../acme/orders-support.js';
import { ordersFor, renewalRow, startSiteStack, type SiteStack } from './support.js';

let a: SiteStack;
let b: SiteStack;
beforeAll(async () => {
  [a, b] = await Promise.all([startSiteStack(), startSiteStack()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('backup and restore across installations', () => {
  it('restores the backed-up certificate on a second installation, serves it and enrolls it, with no new order', async () => {
    const siteId = ids.random();
    const name = uniqueName('moved');
    const deployed = await deploySite(a.siteDeps, { operation: 'deploy', siteId, hostNames: [name], wish: { kind: 'acme' }, issuer: a.issuer });
    if (deployed.state.status !== 'deployed' || deployed.state.current.kind !== 'acme') throw new Error('expected an ACME certificate on A');
    const certificateId = deployed.state.current.certificateId;

    const description: SiteDescription = JSON.parse(JSON.stringify(await backUpSite(a.siteDeps, siteId)));
    expect(description).toMatchObject({ siteId, hostNames: [name], wish: { kind: 'acme' }, deployed: true, certificate: { certificateId } });
    expect(description.certificate!.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(description.certificate!.chainPems.length).toBeGreaterThan(0);
    const siteEvents = JSON.stringify((await a.deps.store.readStream(siteStreams.site(siteId))).map((e) => e.data));
    expect(siteEvents).not.toContain('PRIVATE KEY');
    expect(siteEvents).not.toContain('BEGIN CERTIFICATE');
    expect(siteEvents).toContain('"exportedCertificateId"');

    // B: the names do not point at B (nothing resolves them); the certificate comes with the description.
    const restored = await restoreSite(b.siteDeps, description, b.issuer);
    expect(restored.events.map((e) => e.type)).toEqual(['SiteDeployed', 'SiteAcmeCertificateAssigned']);
    expect(restored.state.status === 'deployed' && restored.state.current.kind === 'acme' && restored.state.current.certificateId).toBe(certificateId);
    expect(restored.orderId).toBeNull();
    expect(await ordersFor(b, name)).toHaveLength(0);
    expect(await renewalRow(b, siteRenewalConfigurationId(siteId, [name]))).toMatchObject({ is_active: true, latest_certificate_id: certificateId });

    const res = await fetch(`${b.admin.url}/.well-known/peter_sslers/domain/${name}/config.json`);
    expect(res.status).toBe(200);
    const served = (await json(res)).certificate_signed__latest_single;
    expect(fingerprint(served.certificate.pem)).toBe(fingerprint(description.certificate!.certificatePem));
    expect(served.private_key.pem).toBe(description.certificate!.privateKeyPem);

    // Restoring the same description again changes nothing.
    const repeated = await restoreSite(b.siteDeps, description, b.issuer);
    expect(repeated.events).toEqual([]);
  });
});
