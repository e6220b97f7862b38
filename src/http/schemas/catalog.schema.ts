import { z } from 'zod';
import { expiringWithinDays, paginationFields, searchSortFields } from './certificate.schema.js';

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** The lists without filters of their own (CA certificates, chains, name sets). */
export const pageQuery = z.strictObject({ ...paginationFields });

/**
 * GET /api/v1/domains. `name_prefix` is the start of a (normalised) name; `expiring_within_days`
 * keeps domains a served certificate (latest single or multi) of which expires in (now, now + N days];
 * `without_active_certificate` keeps domains no active certificate names.
 */
export const domainListQuery = z.strictObject({
  ...paginationFields,
  name_prefix: z
    .string()
    .max(253, 'is too long')
    .regex(/^[a-zA-Z0-9.*:-]*$/, 'may hold letters, digits, dots, hyphens, colons and * only')
    .transform((v) => v.toLowerCase())
    .optional(),
  expiring_within_days: expiringWithinDays.optional(),
  without_active_certificate: flag,
  active: flag,
  ...searchSortFields(['name', 'created', 'expiry']),
});

export type DomainListQuery = z.infer<typeof domainListQuery>;

export const privateKeyListQuery = z.strictObject({ ...paginationFields, compromised: flag });

/** POST /api/v1/parse as JSON: one PEM object. */
export const parseJsonBody = z.strictObject({
  pem: z.string({ error: 'pem is required' }).min(1, 'pem is required').max(1024 * 1024, 'is larger than 1 MiB'),
});

/**
 * peter_sslers paths: pages are path segments; the window of the `expiring` lists is its
 * `expiring_days` setting (7 by default), which a query parameter of that name overrides here.
 */
export const compatQuery = z.object({ expiring_days: expiringWithinDays.default(7) });

/** `{page}` of a peter_sslers list path: a page number from 1 (0 redirects to 1, as there). */
export const pageNumber = /^\d{1,9}$/;
