import { NotFoundError, UnavailableError } from '../domain/shared/errors.js';

export type WaitForOptions = {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default: every projection of the set. */
  projections?: readonly string[];
};

type Lagging = { name: string; position: bigint; lastError?: string };

/** A 503 by its code: the read model did not catch up in time, the write itself succeeded. */
export class ProjectionTimeoutError extends UnavailableError {
  constructor(
    readonly position: bigint,
    readonly lagging: readonly Lagging[],
    timeoutMs: number,
  ) {
    const who = lagging
      .map((l) => `${l.name} at ${l.position}${l.lastError ? ` (failing: ${l.lastError})` : ''}`)
      .join(', ');
    super(`Timed out after ${timeoutMs} ms waiting for projections to reach position ${position}: ${who}`);
  }
}

/**
 * The in-process view of each runner's committed checkpoint. Runners report here after each
 * commit, so read-your-writes waiters wake on progress instead of polling the database.
 */
export type PositionBoard = {
  report: (name: string, position: bigint) => void;
  reportError: (name: string, message: string | undefined) => void;
  position: (name: string) => bigint;
  lastError: (name: string) => string | undefined;
  waitFor: (position: bigint, options?: WaitForOptions) => Promise<void>;
};

export function createPositionBoard(names: readonly string[]): PositionBoard {
  // 0n before a runner has loaded its checkpoint: nothing is ever at position 0.
  const positions = new Map<string, bigint>(names.map((name) => [name, 0n]));
  const errors = new Map<string, string>();
  const waiters = new Set<() => void>();

  const position = (name: string): bigint => positions.get(name) ?? 0n;

  return {
    report(name, newPosition) {
      positions.set(name, newPosition);
      for (const wake of [...waiters]) wake();
    },
    reportError(name, message) {
      if (message === undefined) errors.delete(name);
      else errors.set(name, message);
    },
    position,
    lastError: (name) => errors.get(name),
    waitFor(target, options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const wanted = options.projections ?? [...positions.keys()];
      const unknown = wanted.filter((name) => !positions.has(name));
      if (unknown.length > 0) {
        return Promise.reject(new NotFoundError(`Unknown projection(s): ${unknown.join(', ')}`));
      }
      const lagging = (): Lagging[] =>
        wanted
          .filter((name) => position(name) < target)
          .map((name) => ({ name, position: position(name), lastError: errors.get(name) }));
      if (lagging().length === 0) return Promise.resolve();

      return new Promise<void>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const check = (): void => {
          if (lagging().length > 0) return;
          finish();
          resolve();
        };
        const timer = setTimeout(() => {
          finish();
          reject(new ProjectionTimeoutError(target, lagging(), timeoutMs));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}
