import { describe, expect, it } from 'vitest';
import type { ImportCaCertificate } from '../../src/domain/ca-certificate/commands.js';
import { caCertificateDecider } from '../../src/domain/ca-certificate/decider.js';
import type { CaCertificateImported, CaCertificateIssuerReconciled } from '../../src/domain/ca-certificate/events.js';
import { IllegalStateError } from '../../src/domain/shared/errors.js';
import type { CertificateFacts } from '../../src/domain/shared/x509-facts.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOW = '2026-11-25T08:00:00.000Z';
const facts: CertificateFacts = {
  pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  fingerprintSha1: 'aa', fingerprintSha256: 'bb', spkiSha256: 'cc', serial: '1f',
  subject: 'CN=Test Intermediate', issuer: 'CN=Test Root', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2030-01-01T00:00:00.000Z',
};
const importCommand = (extra: Partial<ImportCaCertificate> = {}): ImportCaCertificate => ({
  type: 'ImportCaCertificate', caCertificateId: 'ca-1', facts, isSelfSigned: false, now: NOW, ...extra,
});
const imported = (extra: Partial<CaCertificateImported['data']> = {}): CaCertificateImported => ({
  type: 'CaCertificateImported', data: { ...facts, caCertificateId: 'ca-1', isSelfSigned: false, importedAt: NOW, ...extra },
});
const reconciled = (issuer: string): CaCertificateIssuerReconciled => ({
  type: 'CaCertificateIssuerReconciled', data: { caCertificateId: 'ca-1', issuerCaCertificateId: issuer, url: 'http://ca.example.test/root.cer', reconciledAt: NOW },
});
const reconcile = (issuer: string) => ({
  type: 'ReconcileCaCertificateIssuer' as const, caCertificateId: 'ca-1', issuerCaCertificateId: issuer, url: 'http://ca.example.test/root.cer', now: NOW,
});

describe('CA certificate decider', () => {
  const spec = deciderSpec(caCertificateDecider);

  it('imports a CA certificate once, with where it came from and its AIA and key ids', () => {
    spec.given([]).when(importCommand({
      source: 'aia',
      sourceUrl: 'http://ca.example.test/root.cer',
      extensions: { aiaCaIssuersUrls: ['http://up.example.test/r.cer'], subjectKeyId: '0a', authorityKeyId: null },
    })).then([imported({ source: 'aia', sourceUrl: 'http://ca.example.test/root.cer', aiaCaIssuersUrls: ['http://up.example.test/r.cer'], subjectKeyId: '0a' })]);
  });

  it('carries none of the optional fields when the command gives none (the pre-issue-3 event shape)', () => {
    const [event] = caCertificateDecider.decide(importCommand(), caCertificateDecider.initialState());
    expect(Object.keys(event!.data).sort()).toEqual([...Object.keys(facts), 'caCertificateId', 'importedAt', 'isSelfSigned'].sort());
  });

  it('de-duplicates: a known CA certificate decides nothing, whatever the new source', () => {
    spec.given([imported({ source: 'upload' })]).when(importCommand({ source: 'aia', sourceUrl: 'http://x.test/a' })).then([]);
  });

  it('records the issuer found by reconciliation, once', () => {
    spec.given([imported()]).when(reconcile('root-1')).then([reconciled('root-1')]);
    spec.given([imported(), reconciled('root-1')]).when(reconcile('root-1')).then([]);
  });

  it('records a different issuer later (a cross-signed twin reached by another URI)', () => {
    spec.given([imported(), reconciled('root-1')]).when(reconcile('root-2')).then([reconciled('root-2')]);
  });

  it('refuses to reconcile an unknown CA certificate or one with itself', () => {
    spec.given([]).when(reconcile('root-1')).thenThrows(IllegalStateError);
    spec.given([imported()]).when(reconcile('ca-1')).thenThrows(IllegalStateError);
  });
});
