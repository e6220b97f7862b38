import type { Decider } from '../domain/shared/decider.js';
import { ConcurrencyError } from '../domain/shared/errors.js';
import type { Event, EventMetadata } from '../domain/shared/event.js';
import type { EventStore } from '../infra/eventstore/port.js';

export type CommandContext = {
  actor?: string;
  correlationId?: string;
  causationId?: string;
};

export type Handled<E extends Event> = {
  /** Events this call appended ([] when the command was already satisfied). */
  events: E[];
  /** Global position of the stream's newest event: wait for it to read your writes. */
  position: bigint | null;
};

const SCHEMA_VERSION = 1;

/**
 * load → fold → decide → append(expectedRevision). A concurrent writer makes the append fail;
 * with `retries` the command is decided again on the fresh stream, which is safe only for
 * commands whose decision depends on nothing but the stream.
 */
export async function handleCommand<C, S, E extends Event>(
  store: EventStore,
  streamName: string,
  decider: Decider<C, S, E>,
  command: C,
  context: CommandContext = {},
  options: { retries?: number } = {},
): Promise<Handled<E>> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    const recorded = await store.readStream(streamName);
    const state = recorded.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as unknown as E), decider.initialState());
    const events = decider.decide(command, state);
    const last = recorded.at(-1);
    if (events.length === 0) return { events, position: last?.position ?? null };
    const metadata: EventMetadata = { schemaVersion: SCHEMA_VERSION, ...context };
    try {
      const result = await store.append(
        streamName,
        events.map((e) => ({ type: e.type, data: e.data, metadata })),
        { expectedRevision: last ? last.revision : 'no_stream' },
      );
      return { events, position: result.position };
    } catch (error) {
      if (error instanceof ConcurrencyError && attempt < retries) continue;
      throw error;
    }
  }
}
