/** Request bodies of autocert, certificate-if-needed and the domain queue (native JSON and peter_sslers forms). */
import { z } from 'zod';
import { KEY_POLICIES, KEY_TECHNOLOGIES } from '../../domain/acme-order/key-cycle.js';

const name = z.string({ error: 'domain_name is required' }).trim().min(1, 'domain_name is required').max(300, 'is too long');
const names = z.union([z.array(z.string()), z.string()])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(300, 'is too long')).min(1, 'at least one domain name').max(100, 'at most 100 names'));
const keyPolicy = z.enum(KEY_POLICIES, { error: `must be one of ${KEY_POLICIES.join(', ')}` });
const keyTechnology = z.enum(KEY_TECHNOLOGIES, { error: `must be one of ${KEY_TECHNOLOGIES.join(', ')}` });
const accountId = z.string().trim().uuid('must be an ACME account id');
/** Only synchronous processing: the caller waits for its certificate (peter_sslers' process_single). */
const strategy = z.enum(['all', 'process_single'], { error: 'must be process_single: issuance here is synchronous' });
const profile = z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, 'is not a profile name');
const max = z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1).max(100);

export const autocertBody = z.strictObject({ domain_name: name });

export const certificateIfNeededBody = z.strictObject({
  domain_names: names,
  acme_account_id: accountId.optional(),
  key_technology: keyTechnology.optional(),
  key_policy: keyPolicy.optional(),
  acme_profile: profile.optional(),
  processing_strategy: strategy.optional(),
});

/** The peter_sslers form: one `domain_name`, the account and key picked by `*__primary` fields. */
export const compatCertificateIfNeededForm = z.object({
  domain_name: name,
  acme_account_id: accountId.optional(),
  account_key_existing__primary: accountId.optional(),
  private_key_technology__primary: keyTechnology.optional(),
  private_key_cycle__primary: keyPolicy.optional(),
  acme_profile__primary: z.union([z.literal(''), profile]).optional(),
  processing_strategy: strategy.optional(),
});

export const domainQueueAddBody = z.strictObject({ domain_names: names });

export const domainQueueProcessBody = z.strictObject({
  acme_account_id: accountId.optional(),
  key_technology: keyTechnology.optional(),
  max_domains_per_certificate: max.optional(),
});

export const compatDomainQueueAddForm = z.object({ domain_names_http01: names.optional(), domain_names: names.optional() });

export const compatDomainQueueProcessForm = z.object({
  acme_account_id: accountId.optional(),
  account_key_existing: accountId.optional(),
  processing_strategy: strategy.optional(),
  max_domains_per_certificate: max.optional(),
});
