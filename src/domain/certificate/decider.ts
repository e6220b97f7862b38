import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { CertificateCommand, ImportCertificate } from './commands.js';
import type { CertificateChainLinked, CertificateEvent } from './events.js';

export type CertificateState =
  | { status: 'absent' }
  | { status: 'imported'; certificateId: string; privateKeyId: string; caChainIds: string[]; defaultCaChainId: string | null };

const linkNewChains = (command: ImportCertificate, linked: readonly string[], hasDefault: boolean): CertificateChainLinked[] =>
  command.caChainIds
    .filter((id, index) => !linked.includes(id) && command.caChainIds.indexOf(id) === index)
    .map((caChainId, index) => ({
      type: 'CertificateChainLinked',
      data: { certificateId: command.certificateId, caChainId, isDefault: !hasDefault && index === 0, linkedAt: command.now },
    }));

export const certificateDecider: Decider<CertificateCommand, CertificateState, CertificateEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CertificateImported':
        return { status: 'imported', certificateId: event.data.certificateId, privateKeyId: event.data.privateKeyId, caChainIds: [], defaultCaChainId: null };
      case 'CertificateChainLinked':
        if (state.status !== 'imported') return state;
        return {
          ...state,
          caChainIds: [...state.caChainIds, event.data.caChainId],
          defaultCaChainId: event.data.isDefault ? event.data.caChainId : state.defaultCaChainId,
        };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportCertificate': {
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
      default: {
        const _exhaustive: never = command.type;
        return [];
      }
    }
  },
};
