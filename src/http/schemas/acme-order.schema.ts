import { isIP } from 'node:net';
import { z } from 'zod';
import { KEY_POLICIES, KEY_TECHNOLOGIES } from '../../domain/acme-order/key-cycle.js';
import { STEPS } from '../../domain/acme-order/steps.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';
import { idParam, paginationFields, searchSortFields } from './certificate.schema.js';

const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** A DNS name (IDN allowed, normalised) or an IP address (RFC 8738). */
const identifierValue = z.string().max(300, 'is too long').transform((value, ctx) => {
  try {
    return normaliseDomainName(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" is not a domain name or IP address` });
    return z.NEVER;
  }
});

const challengeType = z.enum(['http-01', 'dns-01'], { error: 'must be http-01 or dns-01' });
const processing = z.enum(['none', 'all', 'step'], { error: 'must be none, all or step' });

/** A list, or peter_sslers' comma-separated string. */
const nameList = z.union([z.array(z.string()), z.string()]).transform((value) => (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(identifierValue).max(100, 'at most 100 names'));

export type OrderIdentifierInput = { type: 'dns' | 'ip'; value: string; challengeType: 'http-01' | 'dns-01' };

const typed = (value: string, type: 'http-01' | 'dns-01'): OrderIdentifierInput => ({ type: isIP(value) ? 'ip' : 'dns', value, challengeType: type });

/**
 * POST /api/v1/acme-orders. Names either as `identifiers` ([{value, challenge_type}]) or as
 * peter_sslers does (`domain_names_http01`, `domain_names_dns01`). `process`: `none` creates
 * the order (newOrder) only, `all` runs it to the certificate, `step` creates it for step-by-step
 * processing. Key policy and technology default to the account's.
 */
export const createOrderBody = z.strictObject({
  account_id: idParam,
  identifiers: z.array(z.strictObject({ value: identifierValue, challenge_type: challengeType })).max(100, 'at most 100 names').optional(),
  domain_names_http01: nameList.optional(),
  domain_names_dns01: nameList.optional(),
  key_policy: z.enum(KEY_POLICIES, { error: `must be one of ${KEY_POLICIES.join(', ')}` }).optional(),
  key_technology: z.enum(KEY_TECHNOLOGIES, { error: `must be one of ${KEY_TECHNOLOGIES.join(', ')}` }).optional(),
  process: processing.default('none'),
  deactivate_on_failure: z.boolean({ error: 'must be true or false' }).default(true),
}).transform((body, ctx) => {
  const identifiers: OrderIdentifierInput[] = [
    ...(body.identifiers ?? []).map((i) => typed(i.value, i.challenge_type)),
    ...(body.domain_names_http01 ?? []).map((v) => typed(v, 'http-01')),
    ...(body.domain_names_dns01 ?? []).map((v) => typed(v, 'dns-01')),
  ];
  if (identifiers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['identifiers'], message: 'name at least one domain (identifiers, domain_names_http01 or domain_names_dns01)' });
    return z.NEVER;
  }
  return { ...body, identifiers };
});

export const processBody = z.strictObject({
  step: z.enum(STEPS, { error: `must be one of ${STEPS.join(', ')}` }).optional(),
});

export const retryBody = z.strictObject({ process: processing.optional() });

export const markInvalidBody = z.strictObject({
  reason: z.string({ error: 'reason is required' }).trim().min(1, 'reason is required').max(500, 'reason is at most 500 characters'),
  actor: z.string().trim().min(1, 'actor must not be empty').max(200, 'actor is at most 200 characters').optional(),
});

export const revokeBody = z.strictObject({
  /** RFC 5280 §5.3.1 CRLReason. */
  reason_code: z.number({ error: 'reason_code must be a number' }).int('reason_code must be an integer').min(0).max(10).default(0),
  sign_with: z.enum(['account', 'certificate_key'], { error: 'must be account or certificate_key' }).default('account'),
  account_id: idParam.optional(),
  acme_server_id: idParam.optional(),
  actor: z.string().trim().min(1, 'actor must not be empty').max(200, 'actor is at most 200 characters').optional(),
});

export const orderListQuery = z.strictObject({
  ...paginationFields,
  status: z.enum(['created', 'pending', 'ready', 'processing', 'valid', 'invalid'], { error: 'must be an order status' }).optional(),
  account_id: idParam.optional(),
  certificate_id: idParam.optional(),
  active: flag,
  ...searchSortFields(['created', 'updated', 'status', 'expires', 'names']),
});

export const authorizationListQuery = z.strictObject({
  ...paginationFields,
  status: z.enum(['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'], { error: 'must be an authorization status' }).optional(),
});

export const challengeListQuery = z.strictObject({
  ...paginationFields,
  status: z.enum(['pending', 'processing', 'valid', 'invalid'], { error: 'must be a challenge status' }).optional(),
  type: z.string().max(40).optional(),
});

export const rateLimitListQuery = z.strictObject({ ...paginationFields, active: flag, account_id: idParam.optional() });

/**
 * peter_sslers' `acme-order/new/freeform.json` form. The account is named by id
 * (`acme_account_id`); peter_sslers' own account and key options name keys by MD5 and are not taken.
 */
export const compatFreeformForm = z.object({
  acme_account_id: idParam,
  domain_names_http01: nameList.optional(),
  domain_names_dns01: nameList.optional(),
  processing_strategy: z.enum(['create_order', 'process_single', 'process_multi'], { error: 'must be create_order, process_single or process_multi' }),
  private_key_cycle: z.enum(KEY_POLICIES).optional(),
  private_key_cycle__primary: z.enum(KEY_POLICIES).optional(),
  private_key_technology: z.enum(KEY_TECHNOLOGIES).optional(),
  private_key_technology__primary: z.enum(KEY_TECHNOLOGIES).optional(),
});

export const compatMarkOrderForm = z.object({ action: z.enum(['invalid'], { error: 'action must be invalid' }) });
