import { describe, it } from 'vitest';
import { caCertificateDecider } from '../../src/domain/ca-certificate/decider.js';
import { caChainDecider } from '../../src/domain/ca-chain/decider.js';
import type { ImportCertificate } from '../../src/domain/certificate/commands.js';
import { certificateDecider } from '../../src/domain/certificate/decider.js';
import type { CertificateChainLinked, CertificateImported } from '../../src/domain/certificate/events.js';
import { privateKeyDecider } from '../../src/domain/private-key/decider.js';
import { ValidationError } from '../../src/domain/shared/errors.js';
import type { CertificateFacts } from '../../src/domain/shared/x509-facts.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOW = '2026-11-25T08:00:00.000Z';
const facts: CertificateFacts = {
  pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  fingerprintSha1: 'aa', fingerprintSha256: 'bb', spkiSha256: 'cc', serial: '1f',
  subject: 'CN=a.example.test', issuer: 'CN=Test CA', notBefore: '2026-11-01T00:00:00.000Z', notAfter: '2027-01-30T00:00:00.000Z',
};
const importCommand = (caChainIds: string[]): ImportCertificate => ({
  type: 'ImportCertificate', certificateId: 'cert-1', facts, domainNames: ['a.example.test'], uniqueFqdnSetId: 'set-1',
  privateKeyId: 'key-1', keyTechnology: 'EC_P256', isExpired: false, caChainIds, now: NOW,
});
const imported: CertificateImported = {
  type: 'CertificateImported',
  data: { ...facts, certificateId: 'cert-1', domainNames: ['a.example.test'], uniqueFqdnSetId: 'set-1', privateKeyId: 'key-1', keyTechnology: 'EC_P256', isExpired: false, importedAt: NOW },
};
const linked = (caChainId: string, isDefault: boolean): CertificateChainLinked => ({
  type: 'CertificateChainLinked', data: { certificateId: 'cert-1', caChainId, isDefault, linkedAt: NOW },
});

describe('certificate decider', () => {
  const spec = deciderSpec(certificateDecider);

  it('imports a new certificate and links its chain as the default', () => {
    spec.given([]).when(importCommand(['chain-1'])).then([imported, linked('chain-1', true)]);
  });

  it('decides nothing when the same certificate and chain come again', () => {
    spec.given([imported, linked('chain-1', true)]).when(importCommand(['chain-1'])).then([]);
  });

  it('links a chain it has not seen as an alternate, keeping the default', () => {
    spec.given([imported, linked('chain-1', true)]).when(importCommand(['chain-2', 'chain-1'])).then([linked('chain-2', false)]);
  });

  it('links each chain once even when named twice', () => {
    spec.given([]).when(importCommand(['chain-1', 'chain-1', 'chain-2'])).then([imported, linked('chain-1', true), linked('chain-2', false)]);
  });

  it('refuses a certificate that names no domain', () => {
    spec.given([]).when({ ...importCommand(['chain-1']), domainNames: [] }).thenThrows(ValidationError);
  });
});

describe('private key, CA certificate and chain deciders are idempotent', () => {
  it('private key', () => {
    const command = { type: 'ImportPrivateKey', privateKeyId: 'key-1', keyTechnology: 'RSA_2048', spkiSha256: 'cc', source: 'upload', now: NOW } as const;
    const event = { type: 'PrivateKeyImported', data: { privateKeyId: 'key-1', keyTechnology: 'RSA_2048', spkiSha256: 'cc', source: 'upload', importedAt: NOW } } as const;
    deciderSpec(privateKeyDecider).given([]).when(command).then([event]);
    deciderSpec(privateKeyDecider).given([event]).when(command).then([]);
  });

  it('CA certificate', () => {
    const command = { type: 'ImportCaCertificate', caCertificateId: 'ca-1', facts, isSelfSigned: true, now: NOW } as const;
    const event = { type: 'CaCertificateImported', data: { ...facts, caCertificateId: 'ca-1', isSelfSigned: true, importedAt: NOW } } as const;
    deciderSpec(caCertificateDecider).given([]).when(command).then([event]);
    deciderSpec(caCertificateDecider).given([event]).when(command).then([]);
  });

  it('CA chain, which needs at least one certificate', () => {
    const command = { type: 'ImportCaChain', caChainId: 'chain-1', caCertificateIds: ['ca-2', 'ca-1'], now: NOW } as const;
    const event = { type: 'CaChainImported', data: { caChainId: 'chain-1', caCertificateIds: ['ca-2', 'ca-1'], importedAt: NOW } } as const;
    deciderSpec(caChainDecider).given([]).when({ ...command, caCertificateIds: [...command.caCertificateIds] }).then([event as never]);
    deciderSpec(caChainDecider).given([event as never]).when({ ...command, caCertificateIds: ['ca-2', 'ca-1'] }).then([]);
    deciderSpec(caChainDecider).given([]).when({ ...command, caCertificateIds: [] }).thenThrows(ValidationError);
  });
});
