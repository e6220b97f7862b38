import type { Decider } from '../shared/decider.js';
import type { PrivateKeyCommand } from './commands.js';
import type { PrivateKeyEvent } from './events.js';

export type PrivateKeyState =
  | { status: 'absent' }
  | { status: 'active'; privateKeyId: string; spkiSha256: string };

export const privateKeyDecider: Decider<PrivateKeyCommand, PrivateKeyState, PrivateKeyEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'PrivateKeyImported':
        return { status: 'active', privateKeyId: event.data.privateKeyId, spkiSha256: event.data.spkiSha256 };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportPrivateKey':
        // Known already: importing again is a no-op, which makes the command idempotent.
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
      default: {
        const _exhaustive: never = command.type;
        return [];
      }
    }
  },
};
