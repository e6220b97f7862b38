import type { Logger } from '../../infra/logger.js';

export type PeriodicTask = {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop: () => Promise<void>;
};

export type PeriodicOptions = {
  name: string;
  intervalMs: number;
  /** Delay of the first run after start (default: intervalMs). */
  firstDelayMs?: number;
  logger: Pick<Logger, 'info' | 'error'>;
};

/**
 * Runs `work` every intervalMs. The next run is scheduled only when the previous one has finished,
 * so runs never overlap; the timer is unref'd, so it never keeps the process alive; a failed run
 * is logged and the schedule goes on.
 */
export function startPeriodic(work: () => Promise<void>, options: PeriodicOptions): PeriodicTask {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = work()
        .catch((error: unknown) => options.logger.error(`${options.name} failed`, { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          running = undefined;
          schedule(options.intervalMs);
        });
    }, delayMs);
    timer.unref();
  };

  schedule(options.firstDelayMs ?? options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
