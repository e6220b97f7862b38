import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { CaChainCommand } from './commands.js';
import type { CaChainEvent } from './events.js';

export type CaChainState = { status: 'absent' } | { status: 'known'; caChainId: string; caCertificateIds: string[] };

export const caChainDecider: Decider<CaChainCommand, CaChainState, CaChainEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CaChainImported':
        return { status: 'known', caChainId: event.data.caChainId, caCertificateIds: [...event.data.caCertificateIds] };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportCaChain':
        if (command.caCertificateIds.length === 0) throw new ValidationError({ chain: 'a chain holds at least one CA certificate' });
        if (state.status !== 'absent') return [];
        return [{
          type: 'CaChainImported',
          data: { caChainId: command.caChainId, caCertificateIds: [...command.caCertificateIds], importedAt: command.now },
        }];
      default: {
        const _exhaustive: never = command.type;
        return [];
      }
    }
  },
};
