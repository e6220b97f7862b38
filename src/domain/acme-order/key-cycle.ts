/**
 * Private key cycling for orders (peter_sslers' `private_key_cycle`): which key a CSR carries.
 * A policy other than `single_use` names a slot (per account or global, per day, week or name
 * set); a slot's stream assigns one key at a time and every order in the slot reuses it until
 * `validUntil`. Slots per account include the account id, so a key never crosses accounts.
 */
import { ORDER_KEY_TECHNOLOGIES, PRIVATE_KEY_CYCLES, type AccountDefaultKeyCycle, type OrderKeyTechnology, type PrivateKeyCycle } from '../acme-account/defaults.js';
import { ValidationError } from '../shared/errors.js';
import type { Decider } from '../shared/decider.js';
import type { Event } from '../shared/event.js';

/** peter_sslers' private key cycles (shared with the account's order defaults). */
export const KEY_POLICIES = PRIVATE_KEY_CYCLES;
export type KeyPolicy = PrivateKeyCycle;
/** What `account_default` resolves to. */
export type ConcreteKeyPolicy = AccountDefaultKeyCycle;

/** The certificate key technologies ACME CAs take (Let's Encrypt's set). */
export const KEY_TECHNOLOGIES = ORDER_KEY_TECHNOLOGIES;
export type { OrderKeyTechnology };

export const isKeyPolicy = (value: unknown): value is KeyPolicy => KEY_POLICIES.includes(value as KeyPolicy);
export const isKeyTechnology = (value: unknown): value is OrderKeyTechnology => KEY_TECHNOLOGIES.includes(value as OrderKeyTechnology);

/** `account_default` takes the account's setting; an account without one (or pointing back at itself) gets `single_use`. */
export function resolveKeyPolicy(policy: KeyPolicy, accountDefault: string | null | undefined): ConcreteKeyPolicy {
  if (policy !== 'account_default') return policy;
  return isKeyPolicy(accountDefault) && accountDefault !== 'account_default' ? accountDefault : 'single_use';
}

export type KeyCycleKeyAssigned = Event<'KeyCycleKeyAssigned', {
  slotKey: string;
  policy: ConcreteKeyPolicy;
  accountId: string | null;
  keyTechnology: string;
  privateKeyId: string;
  assignedAt: string;
  /** ISO-8601 UTC; the key serves the slot while `now` is before it. */
  validUntil: string;
}>;

export type KeyCycleEvent = KeyCycleKeyAssigned;

export type KeyCycleState =
  | { status: 'empty' }
  | { status: 'assigned'; privateKeyId: string; validUntil: string };

/**
 * Assign `candidateKeyId` in place of `replacing`: the slot's key the caller found unfit
 * (compromised, shredded), or null when it found none serving. If the slot serves any other
 * key now, another order assigned it meanwhile: nothing is decided and the caller takes it.
 */
export type AssignKeyCycleKey = {
  type: 'AssignKeyCycleKey';
  slotKey: string;
  policy: ConcreteKeyPolicy;
  accountId: string | null;
  keyTechnology: string;
  candidateKeyId: string;
  replacing: string | null;
  validUntil: string;
  now: string;
};

/** ISO-8601 UTC strings of one shape (`toISOString`) order as the instants they name. */
export const isBefore = (a: string, b: string): boolean => a < b;

export function currentKey(state: KeyCycleState, now: string): string | null {
  return state.status === 'assigned' && isBefore(now, state.validUntil) ? state.privateKeyId : null;
}

export const keyCycleDecider: Decider<AssignKeyCycleKey, KeyCycleState, KeyCycleEvent> = {
  initialState: () => ({ status: 'empty' }),
  evolve: (_state, event) => {
    switch (event.type) {
      case 'KeyCycleKeyAssigned':
        return { status: 'assigned', privateKeyId: event.data.privateKeyId, validUntil: event.data.validUntil };
      default: {
        const _exhaustive: never = event.type;
        return _state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'AssignKeyCycleKey': {
        if (!isBefore(command.now, command.validUntil)) {
          throw new ValidationError({ validUntil: 'must be after now' });
        }
        const current = currentKey(state, command.now);
        if (current !== null && current !== command.replacing) return [];
        return [{
          type: 'KeyCycleKeyAssigned',
          data: {
            slotKey: command.slotKey,
            policy: command.policy,
            accountId: command.accountId,
            keyTechnology: command.keyTechnology,
            privateKeyId: command.candidateKeyId,
            assignedAt: command.now,
            validUntil: command.validUntil,
          },
        }];
      }
      default: {
        const _exhaustive: never = command.type;
        return [];
      }
    }
  },
};
