/**
 * Which private key an order's CSR carries (peter_sslers' private key cycles). `single_use`
 * makes a key per order; every other policy names a slot whose stream (`keyCycle-<id>`) assigns
 * one key that the slot's orders share until it runs out:
 * - account_daily / account_weekly: per account, key technology and UTC day / ISO week;
 * - global_daily / global_weekly: the same across accounts;
 * - single_use__reuse_1_year: per account and name set, for a year from its first use
 *   (the name set stands in for peter_sslers' renewal configuration);
 * - account_default: the account's own default policy.
 * Concurrent orders in one slot race on the slot's first event: the loser shreds its candidate
 * and takes the winner's key, so a slot never hands out two keys at once.
 */
import { resolveKeyPolicy, currentKey, keyCycleDecider, type ConcreteKeyPolicy, type KeyCycleEvent, type KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import { privateKeyDecider } from '../../domain/private-key/decider.js';
import type { PrivateKeyEvent } from '../../domain/private-key/events.js';
import { fold } from '../../domain/shared/decider.js';
import { ConcurrencyError } from '../../domain/shared/errors.js';
import { acmeOrderStreams, streams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { deterministicId, ids } from '../../infra/ids.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { generatePrivateKey } from '../../infra/x509/key-generator.js';
import { parsePrivateKey, type ParsedPrivateKey } from '../../infra/x509/private-key.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type KeyPolicyDeps = {
  store: EventStore;
  vault: KeyVault;
  now: () => Date;
  /** Tests count generations; the default makes a real key. */
  generateKey?: (keyTechnology: string) => Promise<ParsedPrivateKey>;
};

export type KeyRequest = {
  policy: KeyPolicy;
  /** The account's default policy, for `account_default`. */
  accountDefaultPolicy?: string | null;
  accountId: string;
  uniqueFqdnSetId: string;
  keyTechnology: string;
};

export type PickedKey = {
  privateKeyId: string;
  policy: ConcreteKeyPolicy;
  /** false when this call generated the key. */
  reused: boolean;
  key: ParsedPrivateKey;
};

type Slot = { slotKey: string; validUntil: Date; accountId: string | null };

const DAY_MS = 86_400_000;

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** ISO 8601 week (Monday first; week 1 holds the year's first Thursday): `2026-W48`, and the Monday after it. */
export function isoWeek(at: Date): { key: string; ends: Date } {
  const day = startOfUtcDay(at);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * DAY_MS));
  return { key: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`, ends: new Date(day.getTime() + (7 - weekday) * DAY_MS) };
}

/** The slot a policy puts this order in, or null for a key of its own. */
export function slotFor(policy: ConcreteKeyPolicy, request: KeyRequest, now: Date): Slot | null {
  const { accountId, keyTechnology: tech } = request;
  const day = startOfUtcDay(now);
  const week = isoWeek(now);
  const nextDay = new Date(day.getTime() + DAY_MS);
  const date = day.toISOString().slice(0, 10);
  switch (policy) {
    case 'single_use':
      return null;
    case 'single_use__reuse_1_year': {
      const validUntil = new Date(now);
      validUntil.setUTCFullYear(validUntil.getUTCFullYear() + 1);
      return { slotKey: `${policy}/${accountId}/${request.uniqueFqdnSetId}/${tech}`, validUntil, accountId };
    }
    case 'account_daily':
      return { slotKey: `${policy}/${accountId}/${tech}/${date}`, validUntil: nextDay, accountId };
    case 'account_weekly':
      return { slotKey: `${policy}/${accountId}/${tech}/${week.key}`, validUntil: week.ends, accountId };
    case 'global_daily':
      return { slotKey: `${policy}/${tech}/${date}`, validUntil: nextDay, accountId: null };
    case 'global_weekly':
      return { slotKey: `${policy}/${tech}/${week.key}`, validUntil: week.ends, accountId: null };
    default: {
      const _exhaustive: never = policy;
      return null;
    }
  }
}

/** In the vault and not marked compromised: fit to sign another CSR. */
async function isUsable(deps: KeyPolicyDeps, privateKeyId: string): Promise<boolean> {
  if (!(await deps.vault.has(privateKeyId))) return false;
  const events = await deps.store.readStream(streams.privateKey(privateKeyId));
  return fold(privateKeyDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as PrivateKeyEvent)).status !== 'compromised';
}

/** The catalog learns of the key (source `generated`); a no-op when it knows it. */
async function enrolKey(deps: KeyPolicyDeps, key: ParsedPrivateKey, privateKeyId: string, context: CommandContext): Promise<void> {
  await handleCommand(deps.store, streams.privateKey(privateKeyId), privateKeyDecider, {
    type: 'ImportPrivateKey', privateKeyId, keyTechnology: key.keyTechnology, spkiSha256: key.spkiSha256, source: 'generated', now: deps.now().toISOString(),
  }, context, { retries: 3 });
}

async function freshKey(deps: KeyPolicyDeps, keyTechnology: string): Promise<{ key: ParsedPrivateKey; privateKeyId: string }> {
  const key = await (deps.generateKey ?? generatePrivateKey)(keyTechnology);
  const privateKeyId = ids.privateKey(key.spkiSha256);
  // The vault first: an event must never name a key the vault lacks.
  await deps.vault.put(privateKeyId, key.pkcs8Der);
  return { key, privateKeyId };
}

export async function pickPrivateKey(deps: KeyPolicyDeps, request: KeyRequest, context: CommandContext = {}): Promise<PickedKey> {
  const policy = resolveKeyPolicy(request.policy, request.accountDefaultPolicy);
  const now = deps.now();
  const slot = slotFor(policy, request, now);
  if (slot === null) {
    const { key, privateKeyId } = await freshKey(deps, request.keyTechnology);
    await enrolKey(deps, key, privateKeyId, context);
    return { privateKeyId, policy, reused: false, key };
  }

  const streamName = acmeOrderStreams.keyCycle(deterministicId('keyCycle', slot.slotKey));
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const events = await deps.store.readStream(streamName);
    const current = currentKey(fold(keyCycleDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as KeyCycleEvent)), now.toISOString());
    const usable = current !== null && (await isUsable(deps, current));
    if (current !== null && usable) {
      const key = parsePrivateKey(await deps.vault.get(current));
      await enrolKey(deps, key, current, context);
      return { privateKeyId: current, policy, reused: true, key };
    }
    const candidate = await freshKey(deps, request.keyTechnology);
    let assigned = false;
    try {
      const handled = await handleCommand(deps.store, streamName, keyCycleDecider, {
        type: 'AssignKeyCycleKey', slotKey: slot.slotKey, policy, accountId: slot.accountId, keyTechnology: request.keyTechnology,
        candidateKeyId: candidate.privateKeyId, replacing: current, validUntil: slot.validUntil.toISOString(), now: now.toISOString(),
      }, context);
      assigned = handled.events.length > 0;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
    if (assigned) {
      await enrolKey(deps, candidate.key, candidate.privateKeyId, context);
      return { privateKeyId: candidate.privateKeyId, policy, reused: false, key: candidate.key };
    }
    // Another order filled the slot first: its key wins, ours was never named by an event.
    await deps.vault.shred(candidate.privateKeyId);
  }
  throw new ConcurrencyError(streamName, 'a free slot', 'a slot that kept changing');
}
