/**
 * The ACME directory (RFC 8555 §7.1.1): the only URL configured; every other resource URL
 * comes from it. Validated here because it is an edge: a CA's JSON is input like any form.
 */
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
// Terms may be any URI: Pebble serves a `data:` URL.
const anyUrl = z.url();

const metaSchema = z.looseObject({
  termsOfService: anyUrl.optional(),
  website: anyUrl.optional(),
  caaIdentities: z.array(z.string()).optional(),
  externalAccountRequired: z.boolean().optional(),
  // draft-ietf-acme-profiles: profile name → human description.
  profiles: z.record(z.string(), z.string()).optional(),
});

const directorySchema = z.looseObject({
  newNonce: url,
  newAccount: url,
  newOrder: url,
  // §7.4.1: pre-authorization is optional and most CAs leave it out.
  newAuthz: url.optional(),
  // Required by §7.1.1, but a CA without them can still issue: the operation that needs one fails then.
  revokeCert: url.optional(),
  keyChange: url.optional(),
  // RFC 9773 (ACME Renewal Information).
  renewalInfo: url.optional(),
  meta: metaSchema.optional(),
});

export type AcmeDirectoryMeta = {
  termsOfService?: string;
  website?: string;
  caaIdentities?: string[];
  externalAccountRequired: boolean;
  profiles?: Record<string, string>;
};

export type AcmeDirectory = {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  newAuthz?: string;
  revokeCert?: string;
  keyChange?: string;
  renewalInfo?: string;
  meta: AcmeDirectoryMeta;
  /** The document as served (plain JSON), to store and to notice when the CA changes it. */
  raw: Record<string, unknown>;
};

export class AcmeDirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AcmeDirectoryError';
  }
}

/** Validates a directory body; unknown members are kept in `raw` and ignored otherwise. */
export function parseDirectory(body: unknown, directoryUrl: string): AcmeDirectory {
  const parsed = directorySchema.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new AcmeDirectoryError(`ACME directory at ${directoryUrl} is invalid: ${where}`, { cause: parsed.error });
  }
  const { newNonce, newAccount, newOrder, newAuthz, revokeCert, keyChange, renewalInfo, meta } = parsed.data;
  const directory: AcmeDirectory = {
    newNonce,
    newAccount,
    newOrder,
    meta: { externalAccountRequired: meta?.externalAccountRequired ?? false },
    raw: structuredClone(body as Record<string, unknown>),
  };
  if (newAuthz !== undefined) directory.newAuthz = newAuthz;
  if (revokeCert !== undefined) directory.revokeCert = revokeCert;
  if (keyChange !== undefined) directory.keyChange = keyChange;
  if (renewalInfo !== undefined) directory.renewalInfo = renewalInfo;
  if (meta?.termsOfService !== undefined) directory.meta.termsOfService = meta.termsOfService;
  if (meta?.website !== undefined) directory.meta.website = meta.website;
  if (meta?.caaIdentities !== undefined) directory.meta.caaIdentities = meta.caaIdentities;
  if (meta?.profiles !== undefined) directory.meta.profiles = meta.profiles;
  return directory;
}
