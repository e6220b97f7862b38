import { expect } from 'vitest';
import type { Decider } from '../../src/domain/shared/decider.js';
import type { Event } from '../../src/domain/shared/event.js';

/** given(past events) → when(command) → then(new events) | thenThrows(error class). */
export const deciderSpec = <C, S, E extends Event>(decider: Decider<C, S, E>) => ({
  given: (events: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenThrows: (error: new (...args: never[]) => Error) => expect(run).toThrow(error),
      };
    },
  }),
});
