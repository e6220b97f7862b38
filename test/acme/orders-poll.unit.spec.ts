/** Polling (RFC 8555 §7.5.1, §7.4): Retry-After honoured, the total wait bounded. */
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/commands/acme-order/poll.js';
import type { AcmeResponse } from '../../src/infra/acme/index.js';

const response = (retryAfterSeconds?: number) => ({
  retryAfter: retryAfterSeconds === undefined ? undefined : { seconds: retryAfterSeconds, notBefore: new Date(Date.now() + retryAfterSeconds * 1000).toISOString() },
}) as AcmeResponse;

function server(statuses: string[], retryAfterSeconds?: number) {
  const calls: number[] = [];
  return {
    calls,
    fetch: async () => {
      calls.push(performance.now());
      return { value: statuses[Math.min(calls.length - 1, statuses.length - 1)]!, response: response(retryAfterSeconds) };
    },
  };
}

describe('pollUntil', () => {
  it('backs off from the initial pause until the object settles', async () => {
    const s = server(['pending', 'pending', 'pending', 'valid']);
    const result = await pollUntil(s.fetch, (v) => v !== 'pending', { maxWaitMs: 5_000, initialDelayMs: 20, maxDelayMs: 40 });
    expect(result).toEqual({ value: 'valid', settled: true });
    const gaps = s.calls.slice(1).map((t, i) => t - s.calls[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeLessThan(200); // capped at maxDelayMs
  });

  it('never polls sooner than the server\'s Retry-After', async () => {
    const s = server(['processing', 'valid'], 1);
    await pollUntil(s.fetch, (v) => v !== 'processing', { maxWaitMs: 5_000, initialDelayMs: 10, maxDelayMs: 20 });
    expect(s.calls[1]! - s.calls[0]!).toBeGreaterThanOrEqual(995);
  });

  it('gives up (unsettled, not failed) when the next wait would pass the bound', async () => {
    const s = server(['processing'], 30);
    const t0 = performance.now();
    const result = await pollUntil(s.fetch, (v) => v !== 'processing', { maxWaitMs: 2_000, initialDelayMs: 10, maxDelayMs: 20 });
    expect(result).toEqual({ value: 'processing', settled: false });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s.calls).toHaveLength(1);
  });
});
