/**
 * The domain queue is one stream (`domainQueue-global`): queueing and claiming are decided on
 * the whole queue, and the expected revision lets only one processor claim a batch.
 */
import { IllegalStateError } from '../shared/errors.js';
import type { Decider } from '../shared/decider.js';
import type { DomainQueueCommand } from './commands.js';
import type { DomainQueueEvent } from './events.js';

export type DomainQueueState = {
  /** In queueing order. */
  queued: string[];
  claim: { batchId: string; domainNames: string[]; claimedAt: string } | null;
  /** Name → the order that took it. */
  ordered: Record<string, string>;
};

export const DOMAIN_QUEUE_STREAM = 'domainQueue-global';

export class DomainQueueBusyError extends IllegalStateError {}

export const domainQueueDecider: Decider<DomainQueueCommand, DomainQueueState, DomainQueueEvent> = {
  initialState: () => ({ queued: [], claim: null, ordered: {} }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'DomainQueued':
        return { ...state, queued: [...state.queued, event.data.domainName] };
      case 'DomainQueueBatchClaimed':
        return {
          ...state,
          queued: state.queued.filter((n) => !event.data.domainNames.includes(n)),
          claim: { batchId: event.data.batchId, domainNames: [...event.data.domainNames], claimedAt: event.data.claimedAt },
        };
      case 'DomainQueueBatchOrdered':
        return { ...state, claim: null, ordered: { ...state.ordered, ...Object.fromEntries(event.data.domainNames.map((n) => [n, event.data.orderId])) } };
      case 'DomainQueueBatchFailed':
        return { ...state, claim: null, queued: [...event.data.domainNames, ...state.queued] };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'QueueDomains': {
        const taken = new Set([...state.queued, ...(state.claim?.domainNames ?? []), ...Object.keys(state.ordered)]);
        const fresh = [...new Set(command.domainNames)].filter((n) => !taken.has(n));
        return fresh.map((domainName) => ({ type: 'DomainQueued' as const, data: { domainName, queuedAt: command.now } }));
      }
      case 'ClaimDomainQueueBatch': {
        const events: DomainQueueEvent[] = [];
        let queued = state.queued;
        if (state.claim) {
          if (state.claim.claimedAt >= command.staleBefore) throw new DomainQueueBusyError(`the domain queue is being processed (batch ${state.claim.batchId})`);
          events.push({ type: 'DomainQueueBatchFailed', data: { batchId: state.claim.batchId, domainNames: state.claim.domainNames, orderId: null, reason: 'abandoned', failedAt: command.now } });
          queued = [...state.claim.domainNames, ...queued];
        }
        const domainNames = queued.slice(0, Math.max(1, command.max));
        if (domainNames.length === 0) return events;
        events.push({ type: 'DomainQueueBatchClaimed', data: { batchId: command.batchId, domainNames, claimedAt: command.now } });
        return events;
      }
      case 'FinishDomainQueueBatch': {
        if (state.claim?.batchId !== command.batchId) throw new IllegalStateError(`domain queue batch ${command.batchId} is not the open one`);
        const { domainNames } = state.claim;
        return command.outcome === 'ordered'
          ? [{ type: 'DomainQueueBatchOrdered', data: { batchId: command.batchId, domainNames, orderId: command.orderId, orderStatus: command.orderStatus, orderedAt: command.now } }]
          : [{ type: 'DomainQueueBatchFailed', data: { batchId: command.batchId, domainNames, orderId: command.orderId, reason: command.reason, failedAt: command.now } }];
      }
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
