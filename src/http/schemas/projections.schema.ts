import { z } from 'zod';

/** `POST /api/v1/projections/{name}/rebuild`: a projection name, or `all`. */
export const rebuildParams = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a projection name (lower case letters, digits, dashes) or all'),
});
