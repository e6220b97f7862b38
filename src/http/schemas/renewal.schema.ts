import { isIP } from 'node:net';
import { z } from 'zod';
import { KEY_POLICIES, KEY_TECHNOLOGIES } from '../../domain/acme-order/key-cycle.js';
import type { RenewalIdentifier } from '../../domain/renewal-configuration/events.js';
import { SYSTEM_POLICY_NAMES } from '../../domain/system-policy/policy.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';
import { idParam, paginationFields } from './certificate.schema.js';

const identifierValue = z.string().max(300, 'is too long').transform((value, ctx) => {
  try {
    return normaliseDomainName(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" is not a domain name or IP address` });
    return z.NEVER;
  }
});
const challengeType = z.enum(['http-01', 'dns-01'], { error: 'must be http-01 or dns-01' });
/** A list, or peter_sslers' comma-separated string. */
const nameList = z.union([z.array(z.string()), z.string()]).transform((value) => (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(identifierValue).max(100, 'at most 100 names'));
const typed = (value: string, type: 'http-01' | 'dns-01'): RenewalIdentifier => ({ type: isIP(value) ? 'ip' : 'dns', value, challengeType: type });

const profile = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'is not a profile name').nullable();

/** One issuer (primary or backup): every field optional; gaps come from the system policy. */
export const issuerBody = z.strictObject({
  account_id: idParam.optional(),
  key_technology: z.enum(KEY_TECHNOLOGIES, { error: `must be one of ${KEY_TECHNOLOGIES.join(', ')}` }).optional(),
  key_policy: z.enum(KEY_POLICIES, { error: `must be one of ${KEY_POLICIES.join(', ')}` }).optional(),
  profile: profile.optional(),
});
type IssuerBody = z.infer<typeof issuerBody>;

export const issuerInput = (body: IssuerBody | undefined) => body && {
  accountId: body.account_id, keyTechnology: body.key_technology, keyPolicy: body.key_policy, profile: body.profile,
};

const names = {
  identifiers: z.array(z.strictObject({ value: identifierValue, challenge_type: challengeType })).max(100, 'at most 100 names').optional(),
  domain_names_http01: nameList.optional(),
  domain_names_dns01: nameList.optional(),
};

const identifiersOf = (body: { identifiers?: { value: string; challenge_type: 'http-01' | 'dns-01' }[]; domain_names_http01?: string[]; domain_names_dns01?: string[] }): RenewalIdentifier[] => [
  ...(body.identifiers ?? []).map((i) => typed(i.value, i.challenge_type)),
  ...(body.domain_names_http01 ?? []).map((v) => typed(v, 'http-01')),
  ...(body.domain_names_dns01 ?? []).map((v) => typed(v, 'dns-01')),
];

/** POST /api/v1/renewal-configurations. */
export const createRenewalConfigurationBody = z.strictObject({
  ...names,
  primary: issuerBody.optional(),
  backup: issuerBody.nullable().optional(),
  is_auto_renew: z.boolean({ error: 'must be true or false' }).optional(),
  policy: z.enum(SYSTEM_POLICY_NAMES).optional(),
}).transform((body, ctx) => {
  const identifiers = identifiersOf(body);
  if (identifiers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['identifiers'], message: 'name at least one domain (identifiers, domain_names_http01 or domain_names_dns01)' });
    return z.NEVER;
  }
  return { ...body, identifiers };
});

/** POST /api/v1/renewal-configurations/{id}/edit: what changes; the rest is inherited. */
export const editRenewalConfigurationBody = z.strictObject({
  ...names,
  primary: issuerBody.optional(),
  backup: issuerBody.nullable().optional(),
  is_auto_renew: z.boolean({ error: 'must be true or false' }).optional(),
}).transform((body) => {
  const identifiers = identifiersOf(body);
  return { ...body, identifiers: identifiers.length > 0 ? identifiers : undefined };
});

export const renewalConfigurationListQuery = z.strictObject({
  ...paginationFields,
  active: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  account_id: idParam.optional(),
});

export const systemPolicyName = z.enum(SYSTEM_POLICY_NAMES, { error: `must be one of ${SYSTEM_POLICY_NAMES.join(', ')}` });

/** PUT /api/v1/system-policies/{name}: the whole policy. */
export const systemPolicyBody = z.strictObject({
  primary: z.strictObject({
    account_id: idParam,
    key_technology: z.enum(KEY_TECHNOLOGIES, { error: `must be one of ${KEY_TECHNOLOGIES.join(', ')}` }),
    key_policy: z.enum(KEY_POLICIES, { error: `must be one of ${KEY_POLICIES.join(', ')}` }),
    profile: profile.default(null),
  }),
  backup: z.strictObject({
    account_id: idParam,
    key_technology: z.enum(KEY_TECHNOLOGIES, { error: `must be one of ${KEY_TECHNOLOGIES.join(', ')}` }),
    key_policy: z.enum(KEY_POLICIES, { error: `must be one of ${KEY_POLICIES.join(', ')}` }),
    profile: profile.default(null),
  }).nullable().default(null),
});

export const renewalRunBody = z.strictObject({
  batch_size: z.number().int().min(1).max(100).optional(),
  concurrency: z.number().int().min(1).max(16).optional(),
  max: z.number().int().min(1).max(10_000).optional(),
});

export const renewalQueueProcessBody = z.strictObject({
  loop: z.boolean({ error: 'must be true or false' }).optional(),
  max: z.number().int().min(1).max(1000).optional(),
});
