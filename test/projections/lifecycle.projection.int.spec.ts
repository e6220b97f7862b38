import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/infra/db/schema.js';
import { ids } from '../../src/infra/ids.js';
import { catalogProjections } from '../../src/projections/index.js';
import { openProjectionSpec, type GivenEvent, type ProjectionSpec } from '../support/projection-spec.js';

const AT = '2026-11-25T08:00:00.000Z';
const KEY = 'key-1';

const imported = (certificateId: string, domainNames: string[], notAfter: string): GivenEvent => ({
  stream: `certificate-${certificateId}`,
  type: 'CertificateImported',
  data: {
    pem: `PEM ${certificateId}`, fingerprintSha1: `sha1-${certificateId}`, fingerprintSha256: `sha256-${certificateId}`, spkiSha256: 'spki',
    serial: '01', subject: 'CN=x', issuer: 'CN=CA', notBefore: '2026-11-01T00:00:00.000Z', notAfter, certificateId, domainNames,
    uniqueFqdnSetId: ids.uniqueFqdnSet(domainNames), privateKeyId: KEY, keyTechnology: 'EC_P256', isExpired: false, importedAt: AT,
  },
});
const mark = (certificateId: string, type: string, extra: object): GivenEvent => ({
  stream: `certificate-${certificateId}`, type, data: { certificateId, reason: 'because', actor: 'api', ...extra },
});

describe('lifecycle marks in the catalog projection', () => {
  let spec: ProjectionSpec;
  const tables: (keyof Database)[] = ['certificates', 'domains', 'private_keys'];
  const domain = () => spec.db.selectFrom('domains').selectAll().where('domain_name', '=', 'a.example.test').executeTakeFirstOrThrow();

  beforeAll(async () => {
    spec = await openProjectionSpec(catalogProjections);
    await spec.given(
      { stream: `privateKey-${KEY}`, type: 'PrivateKeyImported', data: { privateKeyId: KEY, keyTechnology: 'EC_P256', spkiSha256: 'spki', source: 'upload', importedAt: AT } },
      imported('cert-late', ['a.example.test'], '2027-03-01T00:00:00.000Z'),
      imported('cert-early', ['a.example.test'], '2027-02-01T00:00:00.000Z'),
    );
  });
  afterAll(async () => spec?.close());

  it('writes each mark and moves the recents with it', async () => {
    expect((await domain()).certificate_latest_single_id).toBe('cert-late');
    await spec.given(mark('cert-late', 'CertificateDeactivated', { cause: 'manual', latestForDomainIds: [], deactivatedAt: AT }));
    expect((await domain()).certificate_latest_single_id).toBe('cert-early');
    await spec.given(mark('cert-early', 'CertificateRevocationMarked', { latestForDomainIds: [], markedAt: AT }));
    expect((await domain()).certificate_latest_single_id).toBeNull();
    await spec.given(mark('cert-late', 'CertificateActivated', { activatedAt: AT }));
    expect((await domain()).certificate_latest_single_id).toBe('cert-late');

    const rows = await spec.db.selectFrom('certificates').select(['id', 'is_active', 'is_revoked', 'deactivation_reason']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'cert-early', is_active: false, is_revoked: true, deactivation_reason: 'because' },
      { id: 'cert-late', is_active: true, is_revoked: false, deactivation_reason: null },
    ]);

    const domainId = ids.domain('a.example.test');
    await spec.given(
      { stream: `domain-${domainId}`, type: 'DomainDeactivated', data: { domainId, domainName: 'a.example.test', reason: 'gone', actor: 'api', deactivatedAt: AT } },
      { stream: `privateKey-${KEY}`, type: 'PrivateKeyCompromiseMarked', data: { privateKeyId: KEY, reason: 'leaked', actor: 'api', markedAt: AT } },
    );
    expect(await domain()).toMatchObject({ is_active: false, certificate_latest_single_id: 'cert-late' });
    expect(await spec.db.selectFrom('private_keys').select(['is_compromised', 'compromised_reason']).executeTakeFirstOrThrow())
      .toEqual({ is_compromised: true, compromised_reason: 'leaked' });
  });

  it('applying every event again changes nothing, and a rebuild gives the same rows', async () => {
    const before = await spec.snapshot(tables);
    await spec.reapplyAll();
    expect(await spec.snapshot(tables)).toEqual(before);
    await spec.set.rebuild('catalog');
    expect(await spec.snapshot(tables)).toEqual(before);
  });
});
