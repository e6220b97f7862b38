import type { Decider } from '../shared/decider.js';
import type { MakeAcmeServerDefault } from './commands.js';
import type { AcmeServerDefaultChanged } from './events.js';

/** The global default ACME server (one stream): there is never more than one. */
export type AcmeServerDefaultState = { acmeServerId: string | null };

export const acmeServerDefaultDecider: Decider<MakeAcmeServerDefault, AcmeServerDefaultState, AcmeServerDefaultChanged> = {
  initialState: () => ({ acmeServerId: null }),
  evolve: (_state, event) => ({ acmeServerId: event.data.acmeServerId }),
  decide: (command, state) => {
    if (state.acmeServerId === command.acmeServerId) return [];
    if (command.onlyIfNone && state.acmeServerId !== null) return [];
    return [{
      type: 'AcmeServerDefaultChanged',
      data: { acmeServerId: command.acmeServerId, previousAcmeServerId: state.acmeServerId, changedAt: command.now },
    }];
  },
};
