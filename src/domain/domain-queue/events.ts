import type { Event } from '../shared/event.js';

/** A name certledger did not know, waiting to be ordered. */
export type DomainQueued = Event<'DomainQueued', { domainName: string; queuedAt: string }>;

/** Taken off the queue by one processor: a concurrent one finds nothing (or waits for the next call). */
export type DomainQueueBatchClaimed = Event<'DomainQueueBatchClaimed', { batchId: string; domainNames: string[]; claimedAt: string }>;

export type DomainQueueBatchOrdered = Event<'DomainQueueBatchOrdered', { batchId: string; domainNames: string[]; orderId: string; orderStatus: string; orderedAt: string }>;

/** Nothing was ordered (or the claim was abandoned): the names are queued again. */
export type DomainQueueBatchFailed = Event<'DomainQueueBatchFailed', { batchId: string; domainNames: string[]; orderId: string | null; reason: string; failedAt: string }>;

export type DomainQueueEvent = DomainQueued | DomainQueueBatchClaimed | DomainQueueBatchOrdered | DomainQueueBatchFailed;
