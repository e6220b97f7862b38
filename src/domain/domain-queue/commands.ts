export type QueueDomains = { type: 'QueueDomains'; domainNames: string[]; now: string };

export type ClaimDomainQueueBatch = {
  type: 'ClaimDomainQueueBatch';
  batchId: string;
  /** Names per order. */
  max: number;
  now: string;
  /** A claim older than this was abandoned (its process died): its names are queued again. */
  staleBefore: string;
};

export type FinishDomainQueueBatch = { type: 'FinishDomainQueueBatch'; batchId: string; now: string } & (
  | { outcome: 'ordered'; orderId: string; orderStatus: string }
  | { outcome: 'failed'; orderId: string | null; reason: string }
);

export type DomainQueueCommand = QueueDomains | ClaimDomainQueueBatch | FinishDomainQueueBatch;

export const DOMAIN_QUEUE_STALE_MS = 10 * 60_000;
/** Let's Encrypt's limit on names per certificate. */
export const DOMAIN_QUEUE_MAX_PER_ORDER = 100;
