import { assertReason } from '../certificate/lifecycle-mark.js';
import type { Decider } from '../shared/decider.js';
import type { DomainCommand } from './commands.js';
import type { DomainEvent } from './events.js';

/** A domain is active until marked otherwise: an empty stream is an active domain. */
export type DomainState = { status: 'active' | 'inactive' };

export const domainDecider: Decider<DomainCommand, DomainState, DomainEvent> = {
  initialState: () => ({ status: 'active' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'DomainActivated':
        return { status: 'active' };
      case 'DomainDeactivated':
        return { status: 'inactive' };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    const reason = assertReason(command.reason);
    const { domainId, domainName, actor, now } = command;
    switch (command.type) {
      case 'ActivateDomain':
        if (state.status === 'active') return [];
        return [{ type: 'DomainActivated', data: { domainId, domainName, reason, actor, activatedAt: now } }];
      case 'DeactivateDomain':
        if (state.status === 'inactive') return [];
        return [{ type: 'DomainDeactivated', data: { domainId, domainName, reason, actor, deactivatedAt: now } }];
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
