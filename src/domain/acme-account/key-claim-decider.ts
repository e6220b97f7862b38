import type { Decider } from '../shared/decider.js';
import { IllegalStateError } from '../shared/errors.js';
import type { ClaimAcmeAccountKey } from './commands.js';
import type { AcmeAccountKeyClaimed } from './events.js';

/** One key, one account, for good: a CA finds an account by its key (RFC 8555 §7.3.1). */
export type AcmeAccountKeyClaimState = { acmeAccountId: string | null };

/** Thrown when a key serves another account already; mapped to 409. */
export class AcmeAccountKeyInUseError extends IllegalStateError {
  constructor(readonly keyId: string, readonly acmeAccountId: string) {
    super(`This key already serves ACME account ${acmeAccountId}: one key never serves two accounts`);
  }
}

export const acmeAccountKeyClaimDecider: Decider<ClaimAcmeAccountKey, AcmeAccountKeyClaimState, AcmeAccountKeyClaimed> = {
  initialState: () => ({ acmeAccountId: null }),
  evolve: (_state, event) => ({ acmeAccountId: event.data.acmeAccountId }),
  decide: (command, state) => {
    if (state.acmeAccountId === command.acmeAccountId) return [];
    if (state.acmeAccountId !== null) throw new AcmeAccountKeyInUseError(command.keyId, state.acmeAccountId);
    return [{ type: 'AcmeAccountKeyClaimed', data: { keyId: command.keyId, acmeAccountId: command.acmeAccountId, claimedAt: command.now } }];
  },
};
