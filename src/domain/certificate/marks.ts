import { IllegalStateError, NotFoundError } from '../shared/errors.js';
import type { ActivateCertificate, DeactivateCertificate, DeactivateExpiredCertificate, MarkCertificateRevoked } from './commands.js';
import type { CertificateActivated, CertificateDeactivated, CertificateRevocationMarked } from './events.js';
import { assertReason, isExpiredAt } from './lifecycle-mark.js';
import type { CertificateState, ImportedCertificate } from './state.js';

const known = (state: CertificateState, certificateId: string): ImportedCertificate => {
  if (state.status === 'absent') throw new NotFoundError(`certificate ${certificateId} not found`);
  return state;
};

export function decideDeactivate(command: DeactivateCertificate, state: CertificateState): CertificateDeactivated[] {
  const reason = assertReason(command.reason);
  if (!known(state, command.certificateId).isActive) return [];
  return [{
    type: 'CertificateDeactivated',
    data: {
      certificateId: command.certificateId, reason, actor: command.actor, cause: 'manual',
      latestForDomainIds: [...command.latestForDomainIds], deactivatedAt: command.now,
    },
  }];
}

/**
 * Seed rule: a certificate that is still the latest single or multi certificate of any domain
 * stays active until a newer one replaces it; an expired certificate beats serving nothing.
 */
export function decideDeactivateExpired(command: DeactivateExpiredCertificate, state: CertificateState): CertificateDeactivated[] {
  const certificate = known(state, command.certificateId);
  if (!certificate.isActive || !isExpiredAt(certificate.notAfter, command.now)) return [];
  if (command.latestForDomainIds.length > 0) return [];
  return [{
    type: 'CertificateDeactivated',
    data: {
      certificateId: command.certificateId, reason: 'expired', actor: command.actor, cause: 'expired',
      latestForDomainIds: [], deactivatedAt: command.now,
    },
  }];
}

/** An expired certificate is refused too: activating it would put it in front of nginx again. */
export function decideActivate(command: ActivateCertificate, state: CertificateState): CertificateActivated[] {
  const reason = assertReason(command.reason);
  const certificate = known(state, command.certificateId);
  if (certificate.isRevoked) throw new IllegalStateError(`certificate ${command.certificateId} is revoked and cannot be activated`);
  if (certificate.isActive) return [];
  if (isExpiredAt(certificate.notAfter, command.now)) {
    throw new IllegalStateError(`certificate ${command.certificateId} expired at ${certificate.notAfter} and cannot be activated`);
  }
  return [{ type: 'CertificateActivated', data: { certificateId: command.certificateId, reason, actor: command.actor, activatedAt: command.now } }];
}

export function decideRevoke(command: MarkCertificateRevoked, state: CertificateState): CertificateRevocationMarked[] {
  const reason = assertReason(command.reason);
  if (known(state, command.certificateId).isRevoked) return [];
  return [{
    type: 'CertificateRevocationMarked',
    data: {
      certificateId: command.certificateId, reason, actor: command.actor,
      latestForDomainIds: [...command.latestForDomainIds], markedAt: command.now,
    },
  }];
}
