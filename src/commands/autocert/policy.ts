/**
 * The issuer an autocert or certificate-if-needed order uses, read from the policy's own stream
 * (R1's `systemPolicy-<name>`), so a policy set a moment ago applies at once, projection lag or not.
 */
import { isKeyPolicy, type KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import { fold } from '../../domain/shared/decider.js';
import type { SystemPolicyEvent, SystemPolicyValues } from '../../domain/system-policy/policy.js';
import { systemPolicyDecider, systemPolicyStream, type SystemPolicyName } from '../../domain/system-policy/policy.js';
import type { EventStore } from '../../infra/eventstore/port.js';

/** `profile`: an ACME profile the policy names (validated against the directory when the order is made). */
export type IssuerSelection = { accountId: string; keyTechnology?: string; keyPolicy?: KeyPolicy; profile?: string };

export async function policyValues(store: EventStore, name: SystemPolicyName): Promise<SystemPolicyValues | null> {
  const events = (await store.readStream(systemPolicyStream(name))).map((e) => ({ type: e.type, data: e.data }) as unknown as SystemPolicyEvent);
  return fold(systemPolicyDecider, events).values;
}

export const issuerOf = (values: SystemPolicyValues): IssuerSelection => {
  const { accountId, keyTechnology, keyPolicy, profile } = values.primary;
  return { accountId, keyTechnology, ...(isKeyPolicy(keyPolicy) ? { keyPolicy } : {}), ...(profile ? { profile } : {}) };
};

export async function policyIssuer(store: EventStore, name: SystemPolicyName): Promise<IssuerSelection | null> {
  const values = await policyValues(store, name);
  if (!values) return null;
  return issuerOf(values);
}
