import type { EventMetadata, JsonValue } from '../../domain/shared/event.js';

/** `no_stream`: the stream must not exist; `stream_exists`: it must; a bigint: its last revision must be exactly that. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

export type NewEvent = {
  type: string;
  data: { [key: string]: JsonValue } | object;
  metadata?: Partial<EventMetadata>;
  /** A UUID; the adapter makes one when absent. */
  id?: string;
  /**
   * ISO-8601 UTC; only import-events sets it, to keep the original time. The PostgreSQL adapter
   * stores it; EventStoreDB stamps its own time (the server owns `created`).
   */
  createdAt?: string;
};

export type RecordedEvent = {
  id: string;
  streamName: string;
  /** 0-based position inside its stream. */
  revision: bigint;
  /** Position in the global order; strictly increasing in the order subscribers see events. */
  position: bigint;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** ISO-8601 UTC */
  createdAt: string;
};

export type AppendResult = {
  /** Revision of the last event written. */
  nextRevision: bigint;
  /** Global position of the last event written: wait for projections to pass it to read your writes. */
  position: bigint;
};

export type ReadAllOptions = {
  /** Exclusive; from the beginning when absent. */
  after?: bigint;
  maxCount: number;
  eventTypes?: readonly string[];
};

export type Subscription = AsyncIterable<RecordedEvent> & { close: () => Promise<void> };

export interface EventStore {
  readonly kind: 'postgres' | 'pglite' | 'eventstoredb';
  /** Throws ConcurrencyError when expectedRevision does not hold; writes all events or none. */
  append(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** [] when the stream does not exist. */
  readStream(streamName: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
  /** Events in global order, never skipping one that commits later at a lower position. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the newest event readAll can return; 0n when empty. */
  headPosition(): Promise<bigint>;
  /** Catch-up from `after`, then live, until closed. */
  subscribeToAll(options?: { after?: bigint; eventTypes?: readonly string[] }): Subscription;
  /** Called (without arguments) when events may have been appended, by this process or another; returns an unsubscribe function. */
  onAppended(listener: () => void): () => void;
  close(): Promise<void>;
}
