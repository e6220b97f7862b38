import { z } from 'zod';
import { ValidationError } from '../../domain/shared/errors.js';

const pem = (field: string) => z.string({ error: `${field} is required` }).min(1, `${field} is required`).max(1024 * 1024, 'is larger than 1 MiB');

export const certificateUploadJson = z.strictObject({
  certificate: pem('certificate'),
  private_key: pem('private_key'),
  chain: pem('chain'),
});

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  expiring_within_days: z.coerce.number().int().min(0).max(3650).optional(),
  active: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
});

/** zod issues → ValidationError naming each field (unknown keys included). */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] = 'unknown field';
      continue;
    }
    const name = issue.path.map(String).join('.') || '_form';
    fields[name] ??= issue.message;
  }
  throw new ValidationError(fields);
}
