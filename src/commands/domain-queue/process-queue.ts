/**
 * Processing the domain queue: the oldest queued names (up to `max`) are claimed on the queue
 * stream — its expected revision lets one processor win — and become one synchronous order
 * (processing `all`); a failed order puts them back in the queue, a certificate gets a renewal
 * configuration (renewal-link.ts).
 */
import { DOMAIN_QUEUE_MAX_PER_ORDER, DOMAIN_QUEUE_STALE_MS } from '../../domain/domain-queue/commands.js';
import { DomainQueueBusyError, domainQueueDecider, DOMAIN_QUEUE_STREAM, type DomainQueueState } from '../../domain/domain-queue/decider.js';
import type { DomainQueueEvent } from '../../domain/domain-queue/events.js';
import { fold } from '../../domain/shared/decider.js';
import { ConcurrencyError, ValidationError } from '../../domain/shared/errors.js';
import type { SystemPolicyValues } from '../../domain/system-policy/policy.js';
import { ids } from '../../infra/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';
import { issueSynchronously } from '../autocert/issue.js';
import { issuerOf, policyValues, type IssuerSelection } from '../autocert/policy.js';
import { keepRenewed } from '../autocert/renewal-link.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ProcessQueueInput = { accountId?: string; keyTechnology?: string; max?: number };

export type ProcessedBatch = {
  batchId: string;
  /** The configuration that keeps the new certificate renewed (renewal-link.ts). */
  renewalConfigurationId: string | null;
  domainNames: string[];
  orderId: string | null;
  ok: boolean;
  certificateId: string | null;
  reason: string | null;
  position: bigint | null;
};

export async function loadDomainQueue(store: EventStore): Promise<DomainQueueState> {
  const events = (await store.readStream(DOMAIN_QUEUE_STREAM)).map((e) => ({ type: e.type, data: e.data }) as unknown as DomainQueueEvent);
  return fold(domainQueueDecider, events);
}

/** null when nothing is queued. */
export async function processDomainQueue(deps: AcmeOrderDeps, input: ProcessQueueInput = {}, context: CommandContext = {}): Promise<ProcessedBatch | null> {
  const policy = await policyValues(deps.store, 'global');
  const issuer = queueIssuer(input, policy);
  const batchId = ids.random();
  const now = deps.now();
  let claimed: string[];
  try {
    const handled = await handleCommand(deps.store, DOMAIN_QUEUE_STREAM, domainQueueDecider, {
      type: 'ClaimDomainQueueBatch',
      batchId,
      max: Math.min(input.max ?? DOMAIN_QUEUE_MAX_PER_ORDER, DOMAIN_QUEUE_MAX_PER_ORDER),
      now: now.toISOString(),
      staleBefore: new Date(now.getTime() - DOMAIN_QUEUE_STALE_MS).toISOString(),
    }, context);
    const claim = handled.events.find((e) => e.type === 'DomainQueueBatchClaimed');
    if (!claim || claim.type !== 'DomainQueueBatchClaimed') return null;
    claimed = [...claim.data.domainNames];
  } catch (error) {
    if (error instanceof ConcurrencyError) throw new DomainQueueBusyError('the domain queue is being processed by another request');
    throw error;
  }

  const issued = await issueSynchronously(deps, claimed, issuer, context);
  const finished = await handleCommand(deps.store, DOMAIN_QUEUE_STREAM, domainQueueDecider, issued.ok
    ? { type: 'FinishDomainQueueBatch', batchId, now: deps.now().toISOString(), outcome: 'ordered', orderId: issued.orderId, orderStatus: issued.status }
    : { type: 'FinishDomainQueueBatch', batchId, now: deps.now().toISOString(), outcome: 'failed', orderId: issued.orderId, reason: issued.reason },
  context, { retries: 3 });
  let renewalConfigurationId: string | null = null;
  if (issued.ok) {
    await deps.projections.waitFor(await deps.store.headPosition(), { timeoutMs: 30_000 });
    renewalConfigurationId = (await keepRenewed(deps, claimed, issuer, { name: 'global', values: policy }, context))?.configurationId ?? null;
  }
  return {
    batchId,
    renewalConfigurationId,
    domainNames: claimed,
    orderId: issued.orderId,
    ok: issued.ok,
    certificateId: issued.ok ? issued.certificateId : null,
    reason: issued.ok ? null : issued.reason,
    position: finished.position,
  };
}

function queueIssuer(input: ProcessQueueInput, policy: SystemPolicyValues | null): IssuerSelection {
  if (input.accountId) return { accountId: input.accountId, keyTechnology: input.keyTechnology };
  if (!policy) throw new ValidationError({ acme_account_id: 'name an ACME account, or set the `global` system policy' });
  return { ...issuerOf(policy), ...(input.keyTechnology ? { keyTechnology: input.keyTechnology } : {}) };
}
