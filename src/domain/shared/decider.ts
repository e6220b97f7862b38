import type { Event } from './event.js';

/** Pure decision logic of one aggregate (Emmett's decider pattern). */
export type Decider<Command, State, E extends Event> = {
  decide: (command: Command, state: State) => E[];
  evolve: (state: State, event: E) => State;
  initialState: () => State;
};

export const fold = <State, E extends Event>(
  decider: Pick<Decider<unknown, State, E>, 'evolve' | 'initialState'>,
  events: readonly E[],
): State => events.reduce(decider.evolve, decider.initialState());
