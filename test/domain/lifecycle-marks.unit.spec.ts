import { describe, expect, it } from 'vitest';
import type { DeactivateExpiredCertificate } from '../../src/domain/certificate/commands.js';
import { certificateDecider } from '../../src/domain/certificate/decider.js';
import type { CertificateActivated, CertificateDeactivated, CertificateImported, CertificateRevocationMarked } from '../../src/domain/certificate/events.js';
import { isExpiredAt } from '../../src/domain/certificate/lifecycle-mark.js';
import { domainDecider } from '../../src/domain/domain/decider.js';
import type { DomainDeactivated } from '../../src/domain/domain/events.js';
import { privateKeyDecider } from '../../src/domain/private-key/decider.js';
import type { PrivateKeyCompromiseMarked, PrivateKeyImported, PrivateKeyShredded } from '../../src/domain/private-key/events.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const NOT_AFTER = '2027-01-30T00:00:00.000Z';
const NOW = '2026-11-25T08:00:00.000Z';
const LATER = '2027-02-01T00:00:00.000Z';
const mark = { reason: 'key rotated', actor: 'api:alice', now: NOW };

const imported = (isExpired = false): CertificateImported => ({
  type: 'CertificateImported',
  data: {
    pem: 'PEM', fingerprintSha1: 'aa', fingerprintSha256: 'bb', spkiSha256: 'cc', serial: '1f', subject: 'CN=a', issuer: 'CN=CA',
    notBefore: '2026-11-01T00:00:00.000Z', notAfter: NOT_AFTER, certificateId: 'cert-1', domainNames: ['a.example.test'],
    uniqueFqdnSetId: 'set-1', privateKeyId: 'key-1', keyTechnology: 'EC_P256', isExpired, importedAt: NOW,
  },
});
const deactivated = (latestForDomainIds: string[] = []): CertificateDeactivated => ({
  type: 'CertificateDeactivated',
  data: { certificateId: 'cert-1', reason: 'key rotated', actor: 'api:alice', cause: 'manual', latestForDomainIds, deactivatedAt: NOW },
});
const activated: CertificateActivated = {
  type: 'CertificateActivated', data: { certificateId: 'cert-1', reason: 'key rotated', actor: 'api:alice', activatedAt: NOW },
};
const revoked = (latestForDomainIds: string[] = []): CertificateRevocationMarked => ({
  type: 'CertificateRevocationMarked',
  data: { certificateId: 'cert-1', reason: 'key rotated', actor: 'api:alice', latestForDomainIds, markedAt: NOW },
});
const sweep = (now: string, latestForDomainIds: string[] = []): DeactivateExpiredCertificate => ({
  type: 'DeactivateExpiredCertificate', certificateId: 'cert-1', actor: 'system:deactivate-expired', now, latestForDomainIds,
});

describe('certificate lifecycle marks', () => {
  const spec = deciderSpec(certificateDecider);
  const deactivate = (latestForDomainIds: string[] = []) => ({ type: 'DeactivateCertificate', certificateId: 'cert-1', latestForDomainIds, ...mark } as const);
  const activate = { type: 'ActivateCertificate', certificateId: 'cert-1', ...mark } as const;
  const revoke = (latestForDomainIds: string[] = []) => ({ type: 'MarkCertificateRevoked', certificateId: 'cert-1', latestForDomainIds, ...mark } as const);

  it('deactivates an active certificate, recording the domains that lose it; twice is one event', () => {
    spec.given([imported()]).when(deactivate(['dom-1'])).then([deactivated(['dom-1'])]);
    spec.given([imported(), deactivated()]).when(deactivate()).then([]);
    spec.given([imported(true)]).when(deactivate()).then([]);
  });

  it('activates an inactive certificate; an active one decides nothing', () => {
    spec.given([imported(), deactivated()]).when(activate).then([activated]);
    spec.given([imported()]).when(activate).then([]);
    spec.given([imported(), deactivated(), activated]).when(activate).then([]);
  });

  it('refuses to activate a revoked certificate with a clear message', () => {
    const run = () => certificateDecider.decide(activate, [imported(), revoked()].reduce(certificateDecider.evolve, certificateDecider.initialState()));
    expect(run).toThrow(IllegalStateError);
    expect(run).toThrow('certificate cert-1 is revoked and cannot be activated');
  });

  it('refuses to activate an expired certificate', () => {
    spec.given([imported(), deactivated()]).when({ ...activate, now: LATER }).thenThrows(IllegalStateError);
    spec.given([imported(true)]).when({ ...activate, now: LATER }).thenThrows(IllegalStateError);
  });

  it('marks revoked once, for good, and deactivates in the same fact', () => {
    spec.given([imported()]).when(revoke(['dom-1'])).then([revoked(['dom-1'])]);
    spec.given([imported(), revoked()]).when(revoke()).then([]);
    spec.given([imported(), revoked()]).when(deactivate()).then([]);
    spec.given([imported(), deactivated()]).when(revoke()).then([revoked()]);
  });

  it('answers NotFound for a certificate it never imported', () => {
    spec.given([]).when(deactivate()).thenThrows(NotFoundError);
    spec.given([]).when(activate).thenThrows(NotFoundError);
    spec.given([]).when(revoke()).thenThrows(NotFoundError);
  });

  it('needs a reason of 1 to 1000 characters, trimmed', () => {
    spec.given([imported()]).when({ ...deactivate(), reason: '   ' }).thenThrows(ValidationError);
    spec.given([imported()]).when({ ...revoke(), reason: 'x'.repeat(1001) }).thenThrows(ValidationError);
    spec.given([imported()]).when({ ...deactivate(), reason: `  ${'x'.repeat(1000)}  ` }).then([{ ...deactivated(), data: { ...deactivated().data, reason: 'x'.repeat(1000) } }]);
  });
});

describe('the expiry sweep and the seed rule', () => {
  const spec = deciderSpec(certificateDecider);
  const expired: CertificateDeactivated = {
    type: 'CertificateDeactivated',
    data: { certificateId: 'cert-1', reason: 'expired', actor: 'system:deactivate-expired', cause: 'expired', latestForDomainIds: [], deactivatedAt: LATER },
  };

  it('deactivates an expired certificate that no domain still has as its latest', () => {
    spec.given([imported()]).when(sweep(LATER)).then([expired]);
  });

  it('keeps an expired certificate that is still some domain latest (seed rule)', () => {
    spec.given([imported()]).when(sweep(LATER, ['dom-1'])).then([]);
  });

  it('is inclusive of notAfter: expired only strictly after it', () => {
    spec.given([imported()]).when(sweep(NOT_AFTER)).then([]);
    spec.given([imported()]).when(sweep('2027-01-30T00:00:01Z')).then([{ ...expired, data: { ...expired.data, deactivatedAt: '2027-01-30T00:00:01Z' } }]);
    expect(isExpiredAt(NOT_AFTER, '2027-01-30T00:00:00Z')).toBe(false);
    expect(isExpiredAt(NOT_AFTER, '2027-01-30T00:00:00.001Z')).toBe(true);
    expect(isExpiredAt('2027-01-30T00:00:01Z', NOT_AFTER)).toBe(false);
  });

  it('leaves inactive certificates alone', () => {
    spec.given([imported(), deactivated()]).when(sweep(LATER)).then([]);
  });
});

describe('domain marks', () => {
  const spec = deciderSpec(domainDecider);
  const command = (type: 'ActivateDomain' | 'DeactivateDomain') => ({ type, domainId: 'dom-1', domainName: 'a.example.test', ...mark });
  const off: DomainDeactivated = {
    type: 'DomainDeactivated', data: { domainId: 'dom-1', domainName: 'a.example.test', reason: 'key rotated', actor: 'api:alice', deactivatedAt: NOW },
  };

  it('a domain is active until deactivated; each mark is idempotent', () => {
    spec.given([]).when(command('ActivateDomain')).then([]);
    spec.given([]).when(command('DeactivateDomain')).then([off]);
    spec.given([off]).when(command('DeactivateDomain')).then([]);
    spec.given([off]).when(command('ActivateDomain')).then([{
      type: 'DomainActivated', data: { domainId: 'dom-1', domainName: 'a.example.test', reason: 'key rotated', actor: 'api:alice', activatedAt: NOW },
    }]);
    spec.given([]).when({ ...command('DeactivateDomain'), reason: '' }).thenThrows(ValidationError);
  });
});

describe('private key compromise', () => {
  const spec = deciderSpec(privateKeyDecider);
  const key: PrivateKeyImported = {
    type: 'PrivateKeyImported', data: { privateKeyId: 'key-1', keyTechnology: 'EC_P256', spkiSha256: 'cc', source: 'upload', importedAt: NOW },
  };
  const compromised: PrivateKeyCompromiseMarked = {
    type: 'PrivateKeyCompromiseMarked', data: { privateKeyId: 'key-1', reason: 'key rotated', actor: 'api:alice', markedAt: NOW },
  };
  const command = { type: 'MarkPrivateKeyCompromised', privateKeyId: 'key-1', ...mark } as const;

  it('marks a known key compromised once; an unknown key is NotFound', () => {
    spec.given([key]).when(command).then([compromised]);
    spec.given([key, compromised]).when(command).then([]);
    spec.given([]).when(command).thenThrows(NotFoundError);
    spec.given([key]).when({ ...command, reason: ' ' }).thenThrows(ValidationError);
  });

  it('importing a compromised key again changes nothing', () => {
    spec.given([key, compromised]).when({ type: 'ImportPrivateKey', privateKeyId: 'key-1', keyTechnology: 'EC_P256', spkiSha256: 'cc', source: 'upload', now: NOW }).then([]);
  });
});

describe('private key shredding', () => {
  const spec = deciderSpec(privateKeyDecider);
  const key: PrivateKeyImported = {
    type: 'PrivateKeyImported', data: { privateKeyId: 'key-1', keyTechnology: 'EC_P256', spkiSha256: 'cc', source: 'upload', importedAt: NOW },
  };
  const shredded: PrivateKeyShredded = {
    type: 'PrivateKeyShredded', data: { privateKeyId: 'key-1', reason: 'key rotated', actor: 'api:alice', shreddedAt: NOW },
  };
  const command = { type: 'ShredPrivateKey', privateKeyId: 'key-1', ...mark } as const;
  const reimport = { type: 'ImportPrivateKey', privateKeyId: 'key-1', keyTechnology: 'EC_P256', spkiSha256: 'cc', source: 'upload', now: NOW } as const;

  it('shreds a known key once, compromised or not; an unknown key is NotFound; a reason is required', () => {
    spec.given([key]).when(command).then([shredded]);
    spec.given([key, { type: 'PrivateKeyCompromiseMarked', data: { privateKeyId: 'key-1', reason: 'leak', actor: 'api', markedAt: NOW } }]).when(command).then([shredded]);
    spec.given([key, shredded]).when(command).then([]);
    spec.given([]).when(command).thenThrows(NotFoundError);
    spec.given([key]).when({ ...command, reason: '' }).thenThrows(ValidationError);
  });

  it('never takes a shredded key back: import is refused, a compromise mark changes nothing', () => {
    spec.given([key, shredded]).when(reimport).thenThrows(IllegalStateError);
    spec.given([key, shredded]).when({ type: 'MarkPrivateKeyCompromised', privateKeyId: 'key-1', ...mark }).then([]);
  });
});
