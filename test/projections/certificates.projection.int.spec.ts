import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaCertificateImported } from '../../src/domain/ca-certificate/events.js';
import type { CaChainImported } from '../../src/domain/ca-chain/events.js';
import type { CertificateChainLinked, CertificateImported } from '../../src/domain/certificate/events.js';
import { streams } from '../../src/domain/shared/ids.js';
import type { Database } from '../../src/infra/db/schema.js';
import { ids } from '../../src/infra/ids.js';
import { catalogProjections, updateAllRecents, updateRecents } from '../../src/projections/index.js';
import { openProjectionSpec, type GivenEvent, type ProjectionSpec } from '../support/projection-spec.js';

let serial = 0;
const pemOf = (label: string): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(label).toString('base64')}\n-----END CERTIFICATE-----\n`;

/** Fabricated facts: the projection trusts the event, so no real X.509 is needed here. */
function facts(label: string, notAfter: string) {
  const fingerprint = `${label}-${++serial}`.padEnd(64, '0');
  return {
    pem: pemOf(fingerprint),
    fingerprintSha1: fingerprint.slice(0, 40),
    fingerprintSha256: fingerprint,
    spkiSha256: `spki-${fingerprint}`,
    serial: String(serial),
    subject: `CN=${label}`,
    issuer: 'CN=Test Issuing CA',
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter,
  };
}

function imported(names: string[], options: { notAfter: string; importedAt?: string; isExpired?: boolean }): GivenEvent & { id: string } {
  const domainNames = [...names].sort();
  const base = facts(domainNames.join('+'), options.notAfter);
  const data: CertificateImported['data'] = {
    ...base,
    certificateId: ids.certificate(base.fingerprintSha256),
    domainNames,
    uniqueFqdnSetId: ids.uniqueFqdnSet(domainNames),
    privateKeyId: ids.privateKey(base.spkiSha256),
    keyTechnology: 'EC_P256',
    isExpired: options.isExpired ?? false,
    importedAt: options.importedAt ?? '2025-06-01T00:00:00.000Z',
  };
  return { id: data.certificateId, stream: streams.certificate(data.certificateId), type: 'CertificateImported', data };
}

function caImported(label: string): GivenEvent & { id: string; pem: string } {
  const base = facts(label, '2035-01-01T00:00:00.000Z');
  const data: CaCertificateImported['data'] = { ...base, caCertificateId: ids.caCertificate(base.fingerprintSha256), isSelfSigned: false, importedAt: '2025-01-02T00:00:00.000Z' };
  return { id: data.caCertificateId, pem: data.pem, stream: streams.caCertificate(data.caCertificateId), type: 'CaCertificateImported', data };
}

function chainImported(caCertificateIds: string[]): GivenEvent & { id: string } {
  const data: CaChainImported['data'] = { caChainId: ids.caChain(caCertificateIds), caCertificateIds, importedAt: '2025-01-03T00:00:00.000Z' };
  return { id: data.caChainId, stream: streams.caChain(data.caChainId), type: 'CaChainImported', data };
}

function linked(certificateId: string, caChainId: string, isDefault: boolean): GivenEvent {
  const data: CertificateChainLinked['data'] = { certificateId, caChainId, isDefault, linkedAt: '2025-06-01T00:00:01.000Z' };
  return { stream: streams.certificate(certificateId), type: 'CertificateChainLinked', data };
}

const catalogTables: (keyof Database)[] = ['certificates', 'unique_fqdn_sets', 'unique_fqdn_set_domains', 'domains', 'certificate_chains', 'ca_certificates', 'ca_chains', 'private_keys'];

describe('certificates and CA projections (PGlite)', () => {
  let spec: ProjectionSpec;
  beforeEach(async () => {
    spec = await openProjectionSpec(catalogProjections);
  });
  afterEach(() => spec.close());

  const recents = (name: string) =>
    spec.db
      .selectFrom('domains')
      .select(['id', 'certificate_latest_single_id as single', 'certificate_latest_multi_id as multi'])
      .where('domain_name', '=', name)
      .executeTakeFirst();

  it('keeps the latest single and the latest multi certificate of each domain apart', async () => {
    const single = imported(['a.example'], { notAfter: '2026-01-01T00:00:00.000Z' });
    const multi = imported(['a.example', 'b.example'], { notAfter: '2026-02-01T00:00:00.000Z' });
    await spec.given(single, multi);

    expect(await recents('a.example')).toEqual({ id: ids.domain('a.example'), single: single.id, multi: multi.id });
    expect(await recents('b.example')).toEqual({ id: ids.domain('b.example'), single: null, multi: multi.id });
    const set = await spec.db.selectFrom('unique_fqdn_sets').selectAll().where('id', '=', ids.uniqueFqdnSet(['a.example', 'b.example'])).executeTakeFirst();
    expect(set).toMatchObject({ domain_names: ['a.example', 'b.example'], domain_count: 2 });
  });

  it('prefers the later not_after whatever the import order, then the newer import on a tie', async () => {
    const later = imported(['c.example'], { notAfter: '2026-06-01T00:00:00.000Z' });
    const earlier = imported(['c.example'], { notAfter: '2026-03-01T00:00:00.000Z', importedAt: '2025-07-01T00:00:00.000Z' });
    await spec.given(later, earlier);
    expect((await recents('c.example'))?.single).toBe(later.id);

    const tie = imported(['c.example'], { notAfter: '2026-06-01T00:00:00.000Z', importedAt: '2025-08-01T00:00:00.000Z' });
    await spec.given(tie);
    expect((await recents('c.example'))?.single).toBe(tie.id);
  });

  it('stores an expired import inactive and never makes it a recent', async () => {
    const current = imported(['d.example'], { notAfter: '2026-01-01T00:00:00.000Z' });
    const expired = imported(['d.example'], { notAfter: '2027-01-01T00:00:00.000Z', isExpired: true });
    const expiredOnly = imported(['e.example', 'd.example'], { notAfter: '2020-01-01T00:00:00.000Z', isExpired: true });
    await spec.given(current, expired, expiredOnly);

    const row = await spec.db.selectFrom('certificates').select(['is_active', 'is_expired']).where('id', '=', expired.id).executeTakeFirst();
    expect(row).toEqual({ is_active: false, is_expired: true });
    expect(await recents('d.example')).toMatchObject({ single: current.id, multi: null });
    expect(await recents('e.example')).toMatchObject({ single: null, multi: null });
  });

  it('changes nothing when the same events are applied again, and a rebuild gives the same rows', async () => {
    const root = caImported('root');
    const chain = chainImported([root.id]);
    const certificate = imported(['f.example', 'g.example'], { notAfter: '2026-01-01T00:00:00.000Z' });
    await spec.given(root, chain, certificate, linked(certificate.id, chain.id, true), imported(['f.example'], { notAfter: '2026-02-01T00:00:00.000Z' }));
    const before = await spec.snapshot(catalogTables);
    expect(before.certificates).toHaveLength(2);

    await spec.reapplyAll();
    expect(await spec.snapshot(catalogTables)).toEqual(before);

    for (const { name } of catalogProjections) await spec.set.rebuild(name);
    expect(await spec.snapshot(catalogTables)).toEqual(before);
  });

  it('concatenates a CA chain PEM in the order the chain gives, not the import order', async () => {
    const root = caImported('root');
    const intermediate = caImported('intermediate');
    const chain = chainImported([intermediate.id, root.id]);
    await spec.given(root, intermediate, chain);

    const row = await spec.db.selectFrom('ca_chains').selectAll().where('id', '=', chain.id).executeTakeFirstOrThrow();
    expect(row.pem).toBe(intermediate.pem + root.pem);
    expect(row.ca_certificate_ids).toEqual([intermediate.id, root.id]);
  });

  it('links certificates to chains; a later link of the same pair restates the default', async () => {
    const root = caImported('root');
    const chain = chainImported([root.id]);
    const certificate = imported(['h.example'], { notAfter: '2026-01-01T00:00:00.000Z' });
    await spec.given(root, chain, certificate, linked(certificate.id, chain.id, false));
    await spec.given(linked(certificate.id, chain.id, true));

    const links = await spec.db.selectFrom('certificate_chains').select(['ca_chain_id', 'is_default']).where('certificate_id', '=', certificate.id).execute();
    expect(links).toEqual([{ ca_chain_id: chain.id, is_default: true }]);
  });

  it('gives each domain the deterministic id ids.domain(name), shared across name sets', async () => {
    await spec.given(imported(['i.example', 'j.example'], { notAfter: '2026-01-01T00:00:00.000Z' }), imported(['j.example'], { notAfter: '2026-01-01T00:00:00.000Z' }));
    const domains = await spec.db.selectFrom('domains').select(['id', 'domain_name']).orderBy('domain_name').execute();
    expect(domains).toEqual([
      { id: ids.domain('i.example'), domain_name: 'i.example' },
      { id: ids.domain('j.example'), domain_name: 'j.example' },
    ]);
    const memberships = await spec.db.selectFrom('unique_fqdn_set_domains').select('domain_id').where('domain_id', '=', ids.domain('j.example')).execute();
    expect(memberships).toHaveLength(2);
  });

  it('recomputes recents in SQL: a deactivated certificate falls back to the next best, and updateAllRecents repairs every domain', async () => {
    const best = imported(['k.example'], { notAfter: '2026-09-01T00:00:00.000Z' });
    const next = imported(['k.example'], { notAfter: '2026-08-01T00:00:00.000Z' });
    const multi = imported(['k.example', 'l.example'], { notAfter: '2026-07-01T00:00:00.000Z' });
    await spec.given(best, next, multi);

    // Deactivation events do not exist yet: flip the row the way their projection will.
    await spec.db.updateTable('certificates').set({ is_active: false }).where('id', '=', best.id).execute();
    await spec.db.transaction().execute((trx) => updateRecents(trx, [ids.domain('k.example')]));
    expect(await recents('k.example')).toMatchObject({ single: next.id, multi: multi.id });

    await spec.db.updateTable('domains').set({ certificate_latest_single_id: null, certificate_latest_multi_id: best.id }).execute();
    await spec.db.transaction().execute((trx) => updateAllRecents(trx));
    expect(await recents('k.example')).toMatchObject({ single: next.id, multi: multi.id });
    expect(await recents('l.example')).toMatchObject({ single: null, multi: multi.id });
  });
});
