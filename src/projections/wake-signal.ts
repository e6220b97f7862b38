/**
 * The sleep of a projection loop: woken early when events may have been appended (or, for a
 * stop, whatever it waits for). `clear()` before reading, so an append during the read is not lost.
 */
export function createWakeSignal(isRunning: () => boolean) {
  let appended = false;
  let wake: (() => void) | undefined;
  return {
    sleep: (ms: number, untilAppended: boolean): Promise<void> =>
      new Promise((resolve) => {
        if (!isRunning() || (untilAppended && appended)) return resolve();
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = untilAppended ? done : () => (isRunning() ? undefined : done());
      }),
    clear: (): void => {
      appended = false;
    },
    /** Events may have been appended. */
    nudge: (): void => {
      appended = true;
      wake?.();
    },
    /** Ends a sleep so a stopping loop notices at once. */
    interrupt: (): void => wake?.(),
  };
}
