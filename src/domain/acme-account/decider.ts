import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError } from '../shared/errors.js';
import type { AcmeAccountCommand } from './commands.js';
import type { AcmeAccountKeyFacts, AcmeAccountOrderDefaults } from './defaults.js';
import type { AcmeAccountEvent, AcmeAccountOperation, AcmeAccountOperationFailed } from './events.js';

/**
 * `unregistered`: known here only (newAccount failed, or the CA no longer knows the key);
 * `valid` and `deactivated` follow RFC 8555 §7.1.6's account states.
 */
export type AcmeAccountStatus = 'unregistered' | 'valid' | 'deactivated';

export type AcmeAccountState =
  | { status: 'absent' }
  | {
    status: AcmeAccountStatus;
    acmeAccountId: string;
    acmeServerId: string;
    key: AcmeAccountKeyFacts;
    /** Keys rolled over from, oldest first: kept in the vault, never used again. */
    retiredKeyIds: string[];
    accountUrl: string | null;
    contact: string[];
    orderDefaults: AcmeAccountOrderDefaults;
  };

export type KnownAcmeAccount = Exclude<AcmeAccountState, { status: 'absent' }>;

/**
 * Whether a request may be sent for the account. Handlers ask before they call the CA;
 * a check is a read and goes out in any state (it is how a stale state is corrected).
 */
export function assertAcmeAccountCan(state: AcmeAccountState, operation: AcmeAccountOperation, acmeAccountId: string): KnownAcmeAccount {
  if (state.status === 'absent') throw new NotFoundError(`ACME account ${acmeAccountId} not found`);
  if (operation === 'check') return state;
  if (state.status === 'deactivated') throw new IllegalStateError(`ACME account ${acmeAccountId} is deactivated (RFC 8555 §7.3.6): it can make no more requests`);
  if (operation === 'register') return state;
  if (state.status !== 'valid' || state.accountUrl === null) {
    throw new IllegalStateError(`ACME account ${acmeAccountId} is not registered with its ACME server: register (authenticate) it first`);
  }
  return state;
}

const failed = (acmeAccountId: string, operation: AcmeAccountOperation, command: { result: { ok: false; failure: AcmeAccountOperationFailed['data']['failure'] }; now: string }): AcmeAccountOperationFailed => ({
  type: 'AcmeAccountOperationFailed',
  data: { acmeAccountId, operation, failure: command.result.failure, failedAt: command.now },
});

const known = (state: AcmeAccountState, acmeAccountId: string): KnownAcmeAccount => {
  if (state.status === 'absent') throw new NotFoundError(`ACME account ${acmeAccountId} not found`);
  return state;
};

function evolve(state: AcmeAccountState, event: AcmeAccountEvent): AcmeAccountState {
  if (event.type === 'AcmeAccountCreated') {
    const { acmeAccountId, acmeServerId, key, contact, orderDefaults } = event.data;
    return { status: 'unregistered', acmeAccountId, acmeServerId, key, retiredKeyIds: [], accountUrl: null, contact, orderDefaults };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'AcmeAccountRegistered':
      return { ...state, status: event.data.status === 'deactivated' ? 'deactivated' : 'valid', accountUrl: event.data.accountUrl, contact: event.data.contact };
    case 'AcmeAccountChecked':
      switch (event.data.result) {
        case 'valid': return { ...state, status: 'valid', accountUrl: event.data.accountUrl ?? state.accountUrl };
        case 'deactivated': return { ...state, status: 'deactivated' };
        // The CA forgot the key (a test CA restarted, or a CA-side cleanup): registering creates it anew.
        case 'not_found': return { ...state, status: 'unregistered', accountUrl: null };
        default: return state;
      }
    case 'AcmeAccountContactUpdated':
      return { ...state, contact: event.data.contact };
    case 'AcmeAccountKeyRolledOver':
      return { ...state, key: event.data.newKey, retiredKeyIds: [...state.retiredKeyIds, event.data.oldKeyId] };
    case 'AcmeAccountDeactivated':
      return { ...state, status: 'deactivated' };
    case 'AcmeAccountOrderDefaultsChanged':
      return { ...state, orderDefaults: event.data.orderDefaults };
    case 'AcmeAccountOperationFailed':
    case 'AcmeExchangeRecorded':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function decide(command: AcmeAccountCommand, state: AcmeAccountState): AcmeAccountEvent[] {
  const id = command.acmeAccountId;
  switch (command.type) {
    case 'CreateAcmeAccount':
      if (state.status !== 'absent') {
        // A retried create (same id, same key) is the same fact.
        if (state.key.keyId === command.key.keyId && state.acmeServerId === command.acmeServerId) return [];
        throw new IllegalStateError(`This key already serves ACME account ${id}${state.acmeServerId === command.acmeServerId ? '' : ` (on ACME server ${state.acmeServerId})`}: one key never serves two accounts`);
      }
      return [{
        type: 'AcmeAccountCreated',
        data: { acmeAccountId: id, acmeServerId: command.acmeServerId, key: command.key, contact: command.contact, orderDefaults: command.orderDefaults, createdAt: command.now },
      }];
    case 'RecordAcmeAccountRegistration': {
      known(state, id);
      const { result } = command;
      if (!result.ok) return [...command.exchanges, failed(id, 'register', { result, now: command.now })];
      const { ok: _ok, ...data } = result;
      return [...command.exchanges, { type: 'AcmeAccountRegistered', data: { acmeAccountId: id, ...data, registeredAt: command.now } }];
    }
    case 'RecordAcmeAccountCheck': {
      known(state, id);
      const { result } = command;
      if (!result.ok) return [...command.exchanges, failed(id, 'check', { result, now: command.now })];
      return [...command.exchanges, { type: 'AcmeAccountChecked', data: { acmeAccountId: id, result: result.result, accountUrl: result.accountUrl, checkedAt: command.now } }];
    }
    case 'RecordAcmeAccountContactUpdate': {
      const account = known(state, id);
      const { result } = command;
      if (!result.ok) return [...command.exchanges, failed(id, 'updateContact', { result, now: command.now })];
      return [...command.exchanges, { type: 'AcmeAccountContactUpdated', data: { acmeAccountId: id, contact: result.contact, previousContact: account.contact, updatedAt: command.now } }];
    }
    case 'RecordAcmeAccountKeyRollover': {
      const account = known(state, id);
      const { result } = command;
      if (!result.ok) return [...command.exchanges, failed(id, 'keyChange', { result, now: command.now })];
      return [...command.exchanges, { type: 'AcmeAccountKeyRolledOver', data: { acmeAccountId: id, oldKeyId: account.key.keyId, newKey: result.newKey, rolledOverAt: command.now } }];
    }
    case 'RecordAcmeAccountDeactivation': {
      known(state, id);
      const { result } = command;
      if (!result.ok) return [...command.exchanges, failed(id, 'deactivate', { result, now: command.now })];
      return [...command.exchanges, { type: 'AcmeAccountDeactivated', data: { acmeAccountId: id, deactivatedAt: command.now } }];
    }
    case 'ChangeAcmeAccountOrderDefaults': {
      const account = known(state, id);
      const next = { ...account.orderDefaults, ...command.orderDefaults };
      if (next.privateKeyCycle === account.orderDefaults.privateKeyCycle && next.privateKeyTechnology === account.orderDefaults.privateKeyTechnology) return [];
      return [{ type: 'AcmeAccountOrderDefaultsChanged', data: { acmeAccountId: id, orderDefaults: next, previous: account.orderDefaults, changedAt: command.now } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

export const acmeAccountDecider: Decider<AcmeAccountCommand, AcmeAccountState, AcmeAccountEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve,
  decide,
};
