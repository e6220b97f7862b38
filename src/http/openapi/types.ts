import { z } from 'zod';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

export type Parameter = { name: string; in: 'path' | 'query'; required?: boolean; description?: string; schema: JsonSchema };

export type MediaTypes = Record<string, { schema: JsonSchema }>;

export type ResponseObject = { description: string; content?: MediaTypes; headers?: Record<string, unknown> } | { $ref: string };

export type Operation = {
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: MediaTypes };
  responses: Record<string, ResponseObject>;
};

/** `"METHOD /api/v1/path/{param}"` → the operation: one map per resource group. */
export type OperationMap = Record<string, Operation>;

/**
 * The JSON Schema of what a zod schema accepts (its input side), so the document cannot drift
 * from validation. Transforms and refinements are not representable and are left out (the
 * runtime check stays the zod schema). Note: a regex flag such as `/i` does not survive.
 */
export function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return json;
}

/** Query parameters: one per property of a zod object schema (the query's schema). */
export function queryOf(schema: z.ZodType, descriptions: Record<string, string> = {}): Parameter[] {
  const json = fromZod(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query' as const,
    required: json.required?.includes(name) ?? false,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
    schema: property,
  }));
}

export const query = (name: string, schema: JsonSchema, description?: string): Parameter =>
  ({ name, in: 'query', required: false, ...(description ? { description } : {}), schema });

export const string = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
export const integer = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
export const boolean = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
export const array = (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) });
/** An object of read-model fields not spelt out here (see the README for each). */
export const record = (description: string): JsonSchema => ({ type: 'object', description });
export const object = (properties: Record<string, JsonSchema>, required: string[] = [], description?: string): JsonSchema => ({
  type: 'object', properties, ...(required.length > 0 ? { required } : {}), ...(description ? { description } : {}),
});
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export const jsonBody = (schema: JsonSchema, required = true, description?: string): NonNullable<Operation['requestBody']> =>
  ({ required, ...(description ? { description } : {}), content: { 'application/json': { schema } } });

export const json = (description: string, schema: JsonSchema): ResponseObject => ({ description, content: { 'application/json': { schema } } });

export type ErrorStatus = 400 | 404 | 409 | 422 | 429 | 502 | 503 | 504;
/** Error answers by reference to the one error body (401/403 come from the security requirement, added to every operation). */
export const errors = (...statuses: ErrorStatus[]): Record<string, ResponseObject> =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]));

/** A paged list: `{items, total, limit, offset}`. */
export const page = (item: JsonSchema): JsonSchema => object({ items: array(item), total: integer(), limit: integer(), offset: integer() }, ['items', 'total']);

export const success = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema =>
  object({ result: { type: 'string', enum: ['success'] }, ...properties }, ['result', ...required]);
