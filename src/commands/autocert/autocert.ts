/**
 * autocert (peter_sslers' /api/domain/autocert.json, called by lua-resty-peter_sslers when nginx
 * meets a name it has no certificate for): the config.json payload when a certificate exists,
 * otherwise one synchronous order with the `autocert` system policy.
 * 1. the name against the blocklist and allowed patterns: configuration only, nothing read yet;
 * 2. refused until the `autocert` policy is set;
 * 3. a certificate served already → `existing`;
 * 4. one attempt per name: a second request in this process joins the first; one in another
 *    process is refused (the attempt stream's expected revision), and none within ten minutes
 *    of a failure (AutocertAttemptFailed carries retryNotBefore);
 * 5. a new certificate gets a renewal configuration (renewal-link.ts), so it is kept.
 */
import {
  AUTOCERT_ATTEMPT_STALE_MS, AUTOCERT_FAILURE_COOLDOWN_MS,
} from '../../domain/autocert/commands.js';
import { AutocertCoolingDownError, AutocertInProgressError, autocertDecider, autocertStream } from '../../domain/autocert/decider.js';
import type { NameRules } from '../../domain/autocert/name-rules.js';
import { ConcurrencyError, IllegalStateError } from '../../domain/shared/errors.js';
import type { SystemPolicyValues } from '../../domain/system-policy/policy.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { ids } from '../../infra/ids.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';
import { RateLimitedError } from '../acme-order/rate-limit.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { catalogDomain } from './catalog-domain.js';
import { issueSynchronously } from './issue.js';
import { assertNameAllowed, requestedName } from './names.js';
import { issuerOf, policyValues } from './policy.js';
import { keepRenewed } from './renewal-link.js';

export type AutocertDeps = AcmeOrderDeps & { autocertNames?: NameRules };

export type AutocertResult =
  | { outcome: 'existing'; domainName: string }
  | { outcome: 'issued'; domainName: string; orderId: string; certificateId: string; renewalConfigurationId: string | null; joined: boolean }
  | { outcome: 'failed'; domainName: string; orderId: string | null; reason: string; retryNotBefore: string; joined: boolean };

/**
 * Attempts running in this process, per event store: a concurrent request for the same name
 * waits for the running attempt and answers with its result (nginx retries the handshake).
 */
const running = new WeakMap<EventStore, Map<string, Promise<AutocertResult>>>();

const later = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

export async function autocert(deps: AutocertDeps, input: { domainName: string }, context: CommandContext = {}): Promise<AutocertResult> {
  const domainName = requestedName(input.domainName);
  assertNameAllowed(domainName, deps.autocertNames);

  const policy = await policyValues(deps.store, 'autocert');
  if (!policy) throw new IllegalStateError('The `autocert` system policy has not been set');

  const known = await catalogDomain(deps.db, domainName);
  if (known?.hasCertificate) return { outcome: 'existing', domainName };
  if (known && !known.isActive) throw new IllegalStateError(`domain ${domainName} was deactivated: activate it (or queue it) first`);

  let byStore = running.get(deps.store);
  if (!byStore) running.set(deps.store, (byStore = new Map()));
  const inFlight = byStore.get(domainName);
  if (inFlight) return { ...(await inFlight), joined: true } as AutocertResult;

  const attempt = attemptOnce(deps, domainName, policy, context);
  byStore.set(domainName, attempt);
  try {
    return await attempt;
  } finally {
    byStore.delete(domainName);
  }
}

async function attemptOnce(
  deps: AutocertDeps,
  domainName: string,
  policy: SystemPolicyValues,
  context: CommandContext,
): Promise<AutocertResult> {
  const stream = autocertStream(domainName);
  const attemptId = ids.random();
  const started = deps.now();
  try {
    await handleCommand(deps.store, stream, autocertDecider, {
      type: 'StartAutocertAttempt', domainName, attemptId, now: started.toISOString(), staleBefore: later(started, -AUTOCERT_ATTEMPT_STALE_MS),
    }, context);
  } catch (error) {
    if (error instanceof AutocertCoolingDownError) throw new RateLimitedError(error.notBefore, error.message);
    if (error instanceof ConcurrencyError) throw new AutocertInProgressError(`an autocert attempt for ${domainName} is in progress`);
    throw error;
  }

  const issuer = issuerOf(policy);
  const issued = await issueSynchronously(deps, [domainName], issuer, context);
  const now = deps.now();
  if (issued.ok) {
    const handled = await handleCommand(deps.store, stream, autocertDecider, {
      type: 'FinishAutocertAttempt', attemptId, now: now.toISOString(), outcome: 'succeeded', orderId: issued.orderId, certificateId: issued.certificateId,
    }, context);
    // Read-your-writes: the caller answers with config.json's payload, which the catalog serves.
    if (handled.position !== null) await deps.projections.waitFor(handled.position, { timeoutMs: 30_000 });
    const renewal = await keepRenewed(deps, [domainName], issuer, { name: 'autocert', values: policy }, context);
    return { outcome: 'issued', domainName, orderId: issued.orderId, certificateId: issued.certificateId, renewalConfigurationId: renewal?.configurationId ?? null, joined: false };
  }
  const retryNotBefore = later(now, AUTOCERT_FAILURE_COOLDOWN_MS);
  await handleCommand(deps.store, stream, autocertDecider, {
    type: 'FinishAutocertAttempt', attemptId, now: now.toISOString(), outcome: 'failed', orderId: issued.orderId, reason: issued.reason, retryNotBefore,
  }, context);
  deps.logger.warn('autocert failed', { domainName, orderId: issued.orderId, reason: issued.reason });
  return { outcome: 'failed', domainName, orderId: issued.orderId, reason: issued.reason, retryNotBefore, joined: false };
}
