import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaCertificateImported, CaCertificateIssuerReconciled } from '../../src/domain/ca-certificate/events.js';
import type { CaChainImported } from '../../src/domain/ca-chain/events.js';
import type { ChainPreferencePolicySet } from '../../src/domain/chain-preference/events.js';
import type { CertificateChainLinked, CertificateImported } from '../../src/domain/certificate/events.js';
import { CHAIN_PREFERENCE_POLICY_ID, streams } from '../../src/domain/shared/ids.js';
import { ids } from '../../src/infra/ids.js';
import { catalogProjections } from '../../src/projections/index.js';
import { openProjectionSpec, type GivenEvent, type ProjectionSpec } from '../support/projection-spec.js';

let serial = 0;
/** Fabricated facts: the projection trusts the event, so no real X.509 is needed here. */
function facts(label: string) {
  const fingerprint = `${label}-${++serial}`.padEnd(64, '0');
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(fingerprint).toString('base64')}\n-----END CERTIFICATE-----\n`,
    fingerprintSha1: fingerprint.slice(0, 40),
    fingerprintSha256: fingerprint,
    spkiSha256: `spki-${fingerprint}`,
    serial: String(serial),
    subject: `CN=${label}`,
    issuer: 'CN=Somebody',
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2035-01-01T00:00:00.000Z',
  };
}

type Ca = GivenEvent & { id: string; sha1: string };
function ca(label: string, extra: Partial<CaCertificateImported['data']> = {}): Ca {
  const base = facts(label);
  const data: CaCertificateImported['data'] = { ...base, caCertificateId: ids.caCertificate(base.fingerprintSha256), isSelfSigned: false, importedAt: '2025-01-02T00:00:00.000Z', ...extra };
  return { id: data.caCertificateId, sha1: base.fingerprintSha1, stream: streams.caCertificate(data.caCertificateId), type: 'CaCertificateImported', data };
}
function chain(cas: Ca[]): GivenEvent & { id: string } {
  const caCertificateIds = cas.map((c) => c.id);
  const data: CaChainImported['data'] = { caChainId: ids.caChain(caCertificateIds), caCertificateIds, importedAt: '2025-01-03T00:00:00.000Z' };
  return { id: data.caChainId, stream: streams.caChain(data.caChainId), type: 'CaChainImported', data };
}
function certificate(label: string): GivenEvent & { id: string } {
  const base = facts(label);
  const data: CertificateImported['data'] = {
    ...base, certificateId: ids.certificate(base.fingerprintSha256), domainNames: [`${label}.example.test`], uniqueFqdnSetId: ids.uniqueFqdnSet([`${label}.example.test`]),
    privateKeyId: ids.privateKey(base.spkiSha256), keyTechnology: 'EC_P256', isExpired: false, importedAt: '2025-06-01T00:00:00.000Z',
  };
  return { id: data.certificateId, stream: streams.certificate(data.certificateId), type: 'CertificateImported', data };
}
const link = (certificateId: string, caChainId: string, isDefault: boolean): GivenEvent => ({
  stream: streams.certificate(certificateId), type: 'CertificateChainLinked',
  data: { certificateId, caChainId, isDefault, linkedAt: '2025-06-01T00:00:01.000Z' } satisfies CertificateChainLinked['data'],
});
const policy = (fingerprintsSha1: string[]): GivenEvent => ({
  stream: streams.chainPreference(CHAIN_PREFERENCE_POLICY_ID), type: 'ChainPreferencePolicySet',
  data: { fingerprintsSha1, setAt: '2025-07-01T00:00:00.000Z' } satisfies ChainPreferencePolicySet['data'],
});

describe('catalog: chain selection and CA certificate facts', () => {
  let spec: ProjectionSpec;
  beforeEach(async () => { spec = await openProjectionSpec(catalogProjections); });
  afterEach(async () => spec?.close());

  const selected = async (certificateId: string) =>
    (await spec.db.selectFrom('certificate_chains').select('ca_chain_id').where('certificate_id', '=', certificateId).where('is_selected', '=', true).execute()).map((r) => r.ca_chain_id);

  it('selects by the top certificate in policy order, else the default; exactly one per certificate; replays change nothing', async () => {
    const issuing = ca('issuing');
    const crossTop = ca('cross');
    const otherTop = ca('other');
    const short = chain([issuing]);
    const long = chain([issuing, crossTop]);
    const third = chain([issuing, otherTop]);
    const cert = certificate('one');
    const plain = certificate('plain');
    await spec.given(issuing, crossTop, otherTop, short, long, third, cert, link(cert.id, short.id, true), link(cert.id, long.id, false), link(cert.id, third.id, false), plain, link(plain.id, short.id, true));
    expect(await selected(cert.id)).toEqual([short.id]);

    await spec.given(policy([otherTop.sha1, crossTop.sha1]));
    expect(await selected(cert.id)).toEqual([third.id]);
    expect(await selected(plain.id)).toEqual([short.id]);

    await spec.given(policy(['f'.repeat(40), crossTop.sha1]));
    expect(await selected(cert.id)).toEqual([long.id]);
    // The top is what counts: the issuing CA sits in every chain but tops only the short one.
    await spec.given(policy([issuing.sha1, crossTop.sha1]));
    expect(await selected(cert.id)).toEqual([short.id]);

    await spec.given(policy([crossTop.sha1]));
    const before = await spec.snapshot(['certificate_chains', 'chain_preferences']);
    await spec.reapplyAll();
    expect(await spec.snapshot(['certificate_chains', 'chain_preferences'])).toEqual(before);
    expect(await selected(cert.id)).toEqual([long.id]);

    await spec.given(policy([]));
    expect(await selected(cert.id)).toEqual([short.id]);
    expect(await spec.db.selectFrom('chain_preferences').selectAll().execute()).toEqual([]);
  });

  it('keeps AIA facts and issuer links; events from before issue 3 read as certificate uploads', async () => {
    const root = ca('root', { isSelfSigned: true, source: 'aia', sourceUrl: 'http://ca.example.test/root.cer', subjectKeyId: '0a0b' });
    const old = ca('old');
    const child = ca('child', { source: 'upload', aiaCaIssuersUrls: ['http://ca.example.test/root.cer'], authorityKeyId: '0a0b' });
    const reconciled: GivenEvent = {
      stream: child.stream, type: 'CaCertificateIssuerReconciled',
      data: { caCertificateId: child.id, issuerCaCertificateId: root.id, url: 'http://ca.example.test/root.cer', reconciledAt: '2025-02-01T00:00:00.000Z' } satisfies CaCertificateIssuerReconciled['data'],
    };
    await spec.given(root, old, child, reconciled, chain([old, root]));
    const rows = await spec.db.selectFrom('ca_certificates').select(['id', 'source', 'source_url', 'aia_ca_issuers_urls', 'subject_key_id', 'authority_key_id', 'issuer_ca_certificate_id']).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(root.id)).toMatchObject({ source: 'aia', source_url: 'http://ca.example.test/root.cer', subject_key_id: '0a0b', aia_ca_issuers_urls: [] });
    expect(byId.get(old.id)).toMatchObject({ source: 'certificate-upload', source_url: null, issuer_ca_certificate_id: root.id });
    expect(byId.get(child.id)).toMatchObject({ source: 'upload', aia_ca_issuers_urls: ['http://ca.example.test/root.cer'], authority_key_id: '0a0b', issuer_ca_certificate_id: root.id });
  });
});
