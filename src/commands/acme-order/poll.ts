/**
 * Polling an authorization or order until it settles (RFC 8555 §7.5.1, §7.4): pauses grow from
 * `initialDelayMs` to `maxDelayMs`, never shorter than the server's Retry-After, and the whole
 * wait is bounded. Running out of time is not a failure: the object stays where the server has
 * it and a later sync or step picks it up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AcmeResponse } from '../../infra/acme/index.js';
import { DEFAULT_POLL, type PollSettings } from './deps.js';

export type Polled<T> = { value: T; settled: boolean };

export function pollSettings(overrides: Partial<PollSettings> | undefined): PollSettings {
  return { ...DEFAULT_POLL, ...overrides };
}

export async function pollUntil<T>(
  fetch: () => Promise<{ value: T; response: AcmeResponse }>,
  settled: (value: T) => boolean,
  settings: PollSettings,
): Promise<Polled<T>> {
  const deadline = Date.now() + settings.maxWaitMs;
  let delay = settings.initialDelayMs;
  for (;;) {
    const { value, response } = await fetch();
    if (settled(value)) return { value, settled: true };
    const retryAfterMs = (response.retryAfter?.seconds ?? 0) * 1000;
    const pause = Math.max(delay, retryAfterMs);
    if (Date.now() + pause > deadline) return { value, settled: false };
    await sleep(pause);
    delay = Math.min(settings.maxDelayMs, delay * 2);
  }
}
