import type { Decider } from '../shared/decider.js';
import type { CaCertificateCommand } from './commands.js';
import type { CaCertificateEvent } from './events.js';

export type CaCertificateState = { status: 'absent' } | { status: 'known'; caCertificateId: string };

export const caCertificateDecider: Decider<CaCertificateCommand, CaCertificateState, CaCertificateEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CaCertificateImported':
        return { status: 'known', caCertificateId: event.data.caCertificateId };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportCaCertificate':
        if (state.status !== 'absent') return [];
        return [{
          type: 'CaCertificateImported',
          data: { ...command.facts, caCertificateId: command.caCertificateId, isSelfSigned: command.isSelfSigned, importedAt: command.now },
        }];
      default: {
        const _exhaustive: never = command.type;
        return [];
      }
    }
  },
};
