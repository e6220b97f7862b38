import { describe, expect, it } from 'vitest';
import { DomainQueueBusyError, domainQueueDecider, type DomainQueueState } from '../../src/domain/domain-queue/decider.js';
import type { DomainQueueEvent } from '../../src/domain/domain-queue/events.js';
import { fold } from '../../src/domain/shared/decider.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 25, 10, minutes)).toISOString();
const stateOf = (events: DomainQueueEvent[]): DomainQueueState => fold(domainQueueDecider, events);
const queued = (name: string): DomainQueueEvent => ({ type: 'DomainQueued', data: { domainName: name, queuedAt: at(0) } });
const claim = (batchId: string, minutes: number, max = 100) => ({ type: 'ClaimDomainQueueBatch' as const, batchId, max, now: at(minutes), staleBefore: at(minutes - 10) });

describe('domain queue', () => {
  it('queues a name once, whether queued, being processed or ordered', () => {
    const state = stateOf([queued('a'), { type: 'DomainQueueBatchClaimed', data: { batchId: 'b', domainNames: ['a'], claimedAt: at(1) } }]);
    expect(domainQueueDecider.decide({ type: 'QueueDomains', domainNames: ['a', 'b', 'b'], now: at(2) }, state)).toEqual([{ type: 'DomainQueued', data: { domainName: 'b', queuedAt: at(2) } }]);
  });

  it('claims the oldest names, at most max, and nothing when empty', () => {
    const state = stateOf([queued('a'), queued('b'), queued('c')]);
    expect(domainQueueDecider.decide(claim('x', 1, 2), state)).toEqual([{ type: 'DomainQueueBatchClaimed', data: { batchId: 'x', domainNames: ['a', 'b'], claimedAt: at(1) } }]);
    expect(domainQueueDecider.decide(claim('x', 1), stateOf([]))).toEqual([]);
  });

  it('refuses a second processor while a batch is open; a stale batch goes back to the queue', () => {
    const state = stateOf([queued('a'), { type: 'DomainQueueBatchClaimed', data: { batchId: 'x', domainNames: ['a'], claimedAt: at(0) } }]);
    expect(() => domainQueueDecider.decide(claim('y', 5), state)).toThrow(DomainQueueBusyError);
    const events = domainQueueDecider.decide(claim('y', 11), state);
    expect(events.map((e) => e.type)).toEqual(['DomainQueueBatchFailed', 'DomainQueueBatchClaimed']);
    expect(stateOf([queued('a'), { type: 'DomainQueueBatchClaimed', data: { batchId: 'x', domainNames: ['a'], claimedAt: at(0) } }, ...events]).claim?.domainNames).toEqual(['a']);
  });

  it('records the order of a batch, and puts a failed batch back first in line', () => {
    const open = [queued('a'), queued('b'), { type: 'DomainQueueBatchClaimed', data: { batchId: 'x', domainNames: ['a'], claimedAt: at(1) } } as DomainQueueEvent];
    const ordered = domainQueueDecider.decide({ type: 'FinishDomainQueueBatch', batchId: 'x', now: at(2), outcome: 'ordered', orderId: 'o', orderStatus: 'valid' }, stateOf(open));
    expect(stateOf([...open, ...ordered]).ordered).toEqual({ a: 'o' });
    const failed = domainQueueDecider.decide({ type: 'FinishDomainQueueBatch', batchId: 'x', now: at(2), outcome: 'failed', orderId: null, reason: 'no' }, stateOf(open));
    expect(stateOf([...open, ...failed]).queued).toEqual(['a', 'b']);
  });
});
