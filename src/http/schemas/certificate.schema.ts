import { z } from 'zod';
import { ValidationError } from '../../domain/shared/errors.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One query parameter given once; a repeated parameter arrives as an array and is refused by its schema. */
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));
export const idParam = z.string({ error: 'must be an id' }).regex(UUID, 'must be an id (UUID)').transform((v) => v.toLowerCase());
const hex = (length: number, what: string) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${length}}$`), `must be ${length} hexadecimal characters (${what})`).transform((v) => v.toLowerCase());

/** A domain name as certificates name it (normalised: lower case, A-labels, no trailing dot). */
export const domainName = z.string().max(300, 'is too long').transform((value, ctx) => {
  try {
    return normaliseDomainName(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" is not a valid domain name` });
    return z.NEVER;
  }
});

/** Every list: limit 1..1000 (50 by default, peter_sslers' page size) and offset. */
export const paginationFields = {
  limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(50),
  offset: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more').default(0),
};

export const expiringWithinDays = z.coerce.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(0, 'must be 0 or more').max(3650, 'must be at most 3650');

/**
 * GET /api/v1/certificates filters (all optional, combined with AND). `issuer` matches the
 * RFC 4514 issuer case-insensitively as a substring, or whole with `issuer_match=exact`.
 */
export const listQuery = z.strictObject({
  ...paginationFields,
  active: flag,
  expired: flag,
  revoked: flag,
  expiring_within_days: expiringWithinDays.optional(),
  unique_fqdn_set_id: idParam.optional(),
  private_key_id: idParam.optional(),
  ca_certificate_id: idParam.optional(),
  ca_chain_id: idParam.optional(),
  serial: z.string().regex(/^(0x)?(?=.*[0-9a-fA-F])[0-9a-fA-F:]{1,128}$/, 'must be a hexadecimal serial number').transform((v) => v.replace(/^0x/, '').replaceAll(':', '').toLowerCase().replace(/^0+(?=.)/, '')).optional(),
  spki_sha256: hex(64, 'SHA-256 of the SubjectPublicKeyInfo').optional(),
  issuer: z.string().min(1, 'must not be empty').max(1024, 'is too long').optional(),
  issuer_match: z.enum(['contains', 'exact'], { error: 'must be contains or exact' }).default('contains'),
  domain: domainName.optional(),
  stashed: flag,
});

export type CertificateListQuery = z.infer<typeof listQuery>;

/** Search and order of a list: a name fragment, a column of `sorts`, a direction (absent: the list's own order). */
export const searchSortFields = <const S extends readonly [string, ...string[]]>(sorts: S) => ({
  name_contains: z.string().trim().min(1, 'must not be empty').max(253, 'is too long').optional(),
  sort: z.enum(sorts, { error: `must be one of ${sorts.join(', ')}` }).optional(),
  dir: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
});

/** GET /api/v1/certificates: the filters, a name fragment and an order (default: soonest expiry first). */
export const certificateListQuery = listQuery.extend(searchSortFields(['expires', 'issued', 'names']));

/** zod issues → ValidationError naming each field (unknown keys included). */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // A Map, not an object literal: a field named `__proto__` must stay a field.
  const fields = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.set(key, 'unknown field');
      continue;
    }
    const name = issue.path.map(String).join('.') || '_form';
    if (!fields.has(name)) fields.set(name, issue.message);
  }
  throw new ValidationError(Object.fromEntries(fields));
}
