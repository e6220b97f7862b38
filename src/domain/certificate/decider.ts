import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { CertificateCommand, ImportCertificate } from './commands.js';
import type { CertificateChainLinked, CertificateEvent } from './events.js';
import { decideActivate, decideDeactivate, decideDeactivateExpired, decideRevoke } from './marks.js';
import type { CertificateState } from './state.js';

export type { CertificateState } from './state.js';

const linkNewChains = (command: ImportCertificate, linked: readonly string[], hasDefault: boolean): CertificateChainLinked[] =>
  command.caChainIds
    .filter((id, index) => !linked.includes(id) && command.caChainIds.indexOf(id) === index)
    .map((caChainId, index) => ({
      type: 'CertificateChainLinked',
      data: { certificateId: command.certificateId, caChainId, isDefault: !hasDefault && index === 0, linkedAt: command.now },
    }));

function decideImport(command: ImportCertificate, state: CertificateState): CertificateEvent[] {
  if (command.domainNames.length === 0) throw new ValidationError({ certificate: 'names no domain' });
  if (state.status === 'absent') {
    const { type: _type, facts, caChainIds: _chains, now, ...rest } = command;
    return [
      { type: 'CertificateImported', data: { ...facts, ...rest, importedAt: now } },
      ...linkNewChains(command, [], false),
    ];
  }
  // Imported before: only chains we have not seen yet are new facts.
  return linkNewChains(command, state.caChainIds, state.defaultCaChainId !== null);
}

export const certificateDecider: Decider<CertificateCommand, CertificateState, CertificateEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    if (event.type === 'CertificateImported') {
      const { certificateId, privateKeyId, notAfter, isExpired } = event.data;
      return { status: 'imported', certificateId, privateKeyId, caChainIds: [], defaultCaChainId: null, notAfter, isActive: !isExpired, isRevoked: false };
    }
    if (state.status !== 'imported') return state;
    switch (event.type) {
      case 'CertificateChainLinked':
        return {
          ...state,
          caChainIds: [...state.caChainIds, event.data.caChainId],
          defaultCaChainId: event.data.isDefault ? event.data.caChainId : state.defaultCaChainId,
        };
      case 'CertificateDeactivated':
        return { ...state, isActive: false };
      case 'CertificateActivated':
        return { ...state, isActive: true };
      case 'CertificateRevocationMarked':
        return { ...state, isActive: false, isRevoked: true };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportCertificate':
        return decideImport(command, state);
      case 'DeactivateCertificate':
        return decideDeactivate(command, state);
      case 'DeactivateExpiredCertificate':
        return decideDeactivateExpired(command, state);
      case 'ActivateCertificate':
        return decideActivate(command, state);
      case 'MarkCertificateRevoked':
        return decideRevoke(command, state);
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
