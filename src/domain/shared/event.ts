export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** A fact, as the domain produces it: a past-tense type and plain JSON data. */
export type Event<Type extends string = string, Data extends object = Record<string, unknown>> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

export type EventMetadata = {
  correlationId?: string;
  causationId?: string;
  actor?: string;
  schemaVersion: number;
};
