/**
 * System defaults (peter_sslers' SystemConfiguration): which account, key technology, key
 * cycling and profile an order gets when nobody names them. `autocert` refuses to run until its
 * policy is set, so a first nginx request can never pick an account by accident.
 */
import { isKeyPolicy, isKeyTechnology } from '../acme-order/key-cycle.js';
import type { Decider } from '../shared/decider.js';
import { ValidationError } from '../shared/errors.js';
import type { Event } from '../shared/event.js';

export const SYSTEM_POLICY_NAMES = ['global', 'autocert', 'certificate-if-needed'] as const;
export type SystemPolicyName = (typeof SYSTEM_POLICY_NAMES)[number];
export const isSystemPolicyName = (value: unknown): value is SystemPolicyName => SYSTEM_POLICY_NAMES.includes(value as SystemPolicyName);

/** One side (primary or backup) of a policy or configuration: an account and how its keys are made. */
export type IssuerChoice = { accountId: string; keyTechnology: string; keyPolicy: string; profile: string | null };

export type SystemPolicyValues = { primary: IssuerChoice; backup: IssuerChoice | null };

export type SystemPolicySet = Event<'SystemPolicySet', { name: SystemPolicyName } & SystemPolicyValues & { setAt: string }>;
export type SystemPolicyEvent = SystemPolicySet;

export type SetSystemPolicy = {
  type: 'SetSystemPolicy';
  name: SystemPolicyName;
  values: SystemPolicyValues;
  /** Looked up by the handler: every account named must exist and be usable. */
  unusableAccounts: Readonly<Record<string, string>>;
  now: string;
};

export type SystemPolicyState = { values: SystemPolicyValues | null };

/** Field problems of one issuer choice, keyed `${prefix}key_technology` etc. */
export function issuerChoiceProblems(choice: IssuerChoice, prefix: string, unusable: Readonly<Record<string, string>>): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!choice.accountId) problems[`${prefix}acme_account_id`] = 'is required';
  else if (unusable[choice.accountId]) problems[`${prefix}acme_account_id`] = unusable[choice.accountId]!;
  if (!isKeyTechnology(choice.keyTechnology)) problems[`${prefix}key_technology`] = 'is not a supported key technology';
  // account_default is meaningless for a policy that is itself a default chain's end; still accepted, resolved at order time.
  if (!isKeyPolicy(choice.keyPolicy)) problems[`${prefix}key_policy`] = 'is not a key cycling policy';
  if (choice.profile !== null && !/^[A-Za-z0-9._-]{1,64}$/.test(choice.profile)) problems[`${prefix}acme_profile`] = 'is not a profile name';
  return problems;
}

const same = (a: SystemPolicyValues | null, b: SystemPolicyValues): boolean => JSON.stringify(a) === JSON.stringify(b);

export const systemPolicyDecider: Decider<SetSystemPolicy, SystemPolicyState, SystemPolicyEvent> = {
  initialState: () => ({ values: null }),
  evolve: (_state, event) => ({ values: { primary: event.data.primary, backup: event.data.backup } }),
  decide: (command, state) => {
    const { primary, backup } = command.values;
    const problems = {
      ...issuerChoiceProblems(primary, '', command.unusableAccounts),
      ...(backup ? issuerChoiceProblems(backup, 'backup_', command.unusableAccounts) : {}),
    };
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);
    // Setting the same values twice is one fact, not two.
    if (same(state.values, command.values)) return [];
    return [{ type: 'SystemPolicySet', data: { name: command.name, primary, backup, setAt: command.now } }];
  },
};

export const systemPolicyStream = (name: SystemPolicyName): string => `systemPolicy-${name}`;
