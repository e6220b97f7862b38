import { assertReason } from '../certificate/lifecycle-mark.js';
import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError } from '../shared/errors.js';
import type { PrivateKeyCommand } from './commands.js';
import type { PrivateKeyEvent } from './events.js';

export type PrivateKeyState =
  | { status: 'absent' }
  | { status: 'active' | 'compromised' | 'shredded'; privateKeyId: string; spkiSha256: string };

export const privateKeyDecider: Decider<PrivateKeyCommand, PrivateKeyState, PrivateKeyEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'PrivateKeyImported':
        return { status: 'active', privateKeyId: event.data.privateKeyId, spkiSha256: event.data.spkiSha256 };
      case 'PrivateKeyCompromiseMarked':
        return state.status === 'absent' || state.status === 'shredded' ? state : { ...state, status: 'compromised' };
      case 'PrivateKeyShredded':
        return state.status === 'absent' ? state : { ...state, status: 'shredded' };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportPrivateKey':
        // Known already: importing again is a no-op, which makes the command idempotent.
        if (state.status === 'shredded') throw new IllegalStateError(`private key ${command.privateKeyId} was shredded; it cannot be imported again`);
        if (state.status !== 'absent') return [];
        return [{
          type: 'PrivateKeyImported',
          data: {
            privateKeyId: command.privateKeyId,
            keyTechnology: command.keyTechnology,
            spkiSha256: command.spkiSha256,
            source: command.source,
            importedAt: command.now,
          },
        }];
      case 'MarkPrivateKeyCompromised': {
        const reason = assertReason(command.reason);
        if (state.status === 'absent') throw new NotFoundError(`private key ${command.privateKeyId} not found`);
        if (state.status !== 'active') return [];
        return [{ type: 'PrivateKeyCompromiseMarked', data: { privateKeyId: command.privateKeyId, reason, actor: command.actor, markedAt: command.now } }];
      }
      case 'ShredPrivateKey': {
        const reason = assertReason(command.reason);
        if (state.status === 'absent') throw new NotFoundError(`private key ${command.privateKeyId} not found`);
        if (state.status === 'shredded') return [];
        return [{ type: 'PrivateKeyShredded', data: { privateKeyId: command.privateKeyId, reason, actor: command.actor, shreddedAt: command.now } }];
      }
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
