import type { EventStore } from '../infra/eventstore/port.js';
import type { LogFields, Logger } from '../infra/logger.js';
import { createWakeSignal } from './wake-signal.js';

export type FollowerLoopSettings = { pollIntervalMs: number; retryInitialMs: number; retryMaxMs: number };

export type FollowerLoop = {
  start: () => void;
  /** Lets the current step finish, then stops. */
  stop: () => Promise<void>;
  /** Events may have been appended: step now instead of at the next poll. */
  nudge: () => void;
  lastError: () => string | undefined;
  /** A follower's status: its position and, while failing, the last error. */
  status: (position: bigint | undefined) => { position: bigint | undefined; lastError?: string };
};

/**
 * The loop of a follower of the event log that keeps its checkpoint outside the projection
 * runner (the Redis prime, nginx expiry): step until nothing is left, sleep until an append or
 * the poll interval, back off exponentially on errors. `reset` drops whatever the step cached,
 * so the next step reloads its checkpoint (after an error, and after a stop).
 */
export function createFollowerLoop(options: {
  store: Pick<EventStore, 'onAppended'>;
  settings: FollowerLoopSettings;
  logger: Pick<Logger, 'error'>;
  /** What the error log line says stopped, e.g. "redis prime". */
  label: string;
  logFields: LogFields;
  /** One batch; false when there was nothing to read. */
  step: () => Promise<boolean>;
  reset: () => void;
}): FollowerLoop {
  const { settings, logger } = options;
  let running = false;
  let lastError: string | undefined;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void) | undefined;
  const signal = createWakeSignal(() => running);

  const run = async (): Promise<void> => {
    let backoff = settings.retryInitialMs;
    while (running) {
      try {
        // Cleared before the step reads, so an append during the read is not lost.
        signal.clear();
        const progressed = await options.step();
        lastError = undefined;
        backoff = settings.retryInitialMs;
        if (!progressed) await signal.sleep(settings.pollIntervalMs, true);
      } catch (error) {
        options.reset();
        lastError = error instanceof Error ? error.message : String(error);
        logger.error(`${options.label} stopped on error; retrying`, { ...options.logFields, error: lastError, retryInMs: backoff });
        await signal.sleep(backoff, false);
        backoff = Math.min(backoff * 2, settings.retryMaxMs);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = options.store.onAppended(signal.nudge);
      loop = run();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = undefined;
      signal.interrupt();
      await loop;
      loop = undefined;
      options.reset();
    },
    nudge: signal.nudge,
    lastError: () => lastError,
    status: (position) => ({ position, ...(lastError === undefined ? {} : { lastError }) }),
  };
}
