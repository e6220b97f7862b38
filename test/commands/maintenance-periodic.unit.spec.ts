import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startPeriodic } from '../../src/commands/maintenance/periodic.js';

const recordingLogger = () => {
  const errors: string[] = [];
  return { errors, logger: { info: () => {}, error: (message: string, fields?: Record<string, unknown>) => errors.push(`${message}: ${String(fields?.error)}`) } };
};

describe('the periodic maintenance runner (expiry sweep schedule)', () => {
  it('never overlaps runs, keeps going after a failure, and stop waits for the run in progress', async () => {
    const { errors, logger } = recordingLogger();
    let running = 0;
    let overlapped = false;
    let runs = 0;
    let finished = 0;
    const task = startPeriodic(async () => {
      runs += 1;
      running += 1;
      overlapped ||= running > 1;
      await sleep(30);
      running -= 1;
      finished += 1;
      if (runs === 2) throw new Error('database away');
    }, { name: 'test sweep', intervalMs: 5, firstDelayMs: 0, logger });

    await sleep(200);
    await task.stop();
    const stoppedAt = runs;
    expect(running).toBe(0);
    expect(finished).toBe(runs);
    expect(overlapped).toBe(false);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual(['test sweep failed: database away']);
    await sleep(50);
    expect(runs).toBe(stoppedAt);
  });

  it('waits firstDelayMs before the first run', async () => {
    let runs = 0;
    const task = startPeriodic(async () => { runs += 1; }, { name: 'idle', intervalMs: 60_000, firstDelayMs: 40, logger: recordingLogger().logger });
    await sleep(10);
    expect(runs).toBe(0);
    await sleep(60);
    expect(runs).toBe(1);
    await task.stop();
  });
});
