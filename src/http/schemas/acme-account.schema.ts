import { z } from 'zod';
import { ACCOUNT_DEFAULT_KEY_CYCLES, ACCOUNT_KEY_TECHNOLOGIES, ORDER_KEY_TECHNOLOGIES } from '../../domain/acme-account/defaults.js';
import { idParam, paginationFields } from './certificate.schema.js';

const MAX_PEM = 64 * 1024;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const keyTechnology = z.enum(ACCOUNT_KEY_TECHNOLOGIES, { error: `must be one of: ${ACCOUNT_KEY_TECHNOLOGIES.join(', ')}` });
export const orderKeyTechnology = z.enum(ORDER_KEY_TECHNOLOGIES, { error: `must be one of: ${ORDER_KEY_TECHNOLOGIES.join(', ')}` });
export const accountKeyCycle = z.enum(ACCOUNT_DEFAULT_KEY_CYCLES as [string, ...string[]], { error: `must be one of: ${ACCOUNT_DEFAULT_KEY_CYCLES.join(', ')}` })
  .transform((v) => v as (typeof ACCOUNT_DEFAULT_KEY_CYCLES)[number]);

/** One address: `a@example.com` or `mailto:a@example.com` (RFC 8555 §7.3: contact URLs; CAs take mailto:). */
const contactEntry = z.string().trim().max(320, 'is too long').transform((value, ctx) => {
  const address = value.replace(/^mailto:/i, '');
  if (!EMAIL.test(address)) {
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 80)}" is not an email address` });
    return z.NEVER;
  }
  return `mailto:${address}`;
});

/** A list, or one address, or a comma-separated string (peter_sslers' form field). */
export const contact = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value),
  z.array(contactEntry, { error: 'must be a list of email addresses' }).max(10, 'at most 10 addresses'),
);

const pem = (what: string) => z.string({ error: `must be a PEM ${what}` }).max(MAX_PEM, 'is larger than 64 KiB').refine((v) => v.includes('-----BEGIN '), `must be a PEM ${what}`);

export const eab = z.strictObject({
  kid: z.string({ error: 'is required' }).trim().min(1, 'is required').max(512, 'is too long'),
  hmac_key: z.string({ error: 'is required' }).trim().min(1, 'is required').max(1024, 'is too long'),
  alg: z.enum(['HS256', 'HS384', 'HS512'], { error: 'must be HS256, HS384 or HS512' }).optional(),
});

const orderDefaults = z.strictObject({
  private_key_technology: orderKeyTechnology.default('EC_P256'),
  private_key_cycle: accountKeyCycle.default('single_use'),
});

export const registerServerBody = z.strictObject({
  directory_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048, 'is too long'),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'is at most 200 characters').optional(),
  ca_bundle_pem: pem('CA bundle').refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must hold PEM certificates').optional(),
  is_default: z.boolean({ error: 'must be true or false' }).optional(),
});

export const createAccountBody = z.strictObject({
  acme_server_id: idParam.optional(),
  key_technology: keyTechnology.default('EC_P256'),
  contact: contact.default([]),
  order_defaults: orderDefaults.default({ private_key_technology: 'EC_P256', private_key_cycle: 'single_use' }),
  eab: eab.optional(),
});

/** A certbot file as its text, or already parsed. */
const certbotFile = z.union([z.string().max(MAX_PEM, 'is larger than 64 KiB'), z.record(z.string(), z.unknown()).transform((v) => JSON.stringify(v))]);

export const uploadAccountBody = z.strictObject({
  acme_server_id: idParam.optional(),
  key_pem: pem('private key').optional(),
  certbot: z.strictObject({
    private_key: certbotFile,
    regr: certbotFile.optional(),
    meta: certbotFile.optional(),
  }).optional(),
  contact: contact.optional(),
  order_defaults: orderDefaults.default({ private_key_technology: 'EC_P256', private_key_cycle: 'single_use' }),
  eab: eab.optional(),
}).superRefine((body, ctx) => {
  if ((body.key_pem === undefined) === (body.certbot === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['key_pem'], message: 'give key_pem or certbot (private_key, regr, meta), not both' });
  }
});

export const contactBody = z.strictObject({ contact });

export const rolloverBody = z.strictObject({
  key_technology: keyTechnology.optional(),
  key_pem: pem('private key').optional(),
}).refine((body) => !(body.key_technology && body.key_pem), { path: ['key_pem'], message: 'give key_pem or key_technology, not both' });

export const defaultsBody = z.strictObject({
  private_key_technology: orderKeyTechnology.optional(),
  private_key_cycle: accountKeyCycle.optional(),
}).refine((body) => body.private_key_technology !== undefined || body.private_key_cycle !== undefined, {
  path: ['private_key_cycle'], message: 'give private_key_technology or private_key_cycle',
});

export const accountListQuery = z.strictObject({
  ...paginationFields,
  acme_server_id: idParam.optional(),
  status: z.enum(['unregistered', 'valid', 'deactivated'], { error: 'must be unregistered, valid or deactivated' }).optional(),
});

export const historyQuery = z.strictObject({
  ...paginationFields,
  limit: paginationFields.limit.default(200),
});

// peter_sslers forms (multipart, text values). Key technologies as it spells them too ("EC_P256", "RSA_2048").
const compatTechnology = z.string().trim().transform((v) => v.toUpperCase().replace(/^ECP/, 'EC_P').replace(/^RSA(?=\d)/, 'RSA_')).pipe(keyTechnology);

export const compatNewAccountForm = z.strictObject({
  acme_server_id: idParam,
  account__contact: contact,
  account__private_key_technology: compatTechnology.default('EC_P256'),
  account__order_default_private_key_cycle: accountKeyCycle.default('single_use'),
  account__order_default_private_key_technology: compatTechnology.default('EC_P256'),
  eab_kid: z.string().trim().min(1).max(512).optional(),
  eab_hmac_key: z.string().trim().min(1).max(1024).optional(),
});

export const compatUploadAccountForm = z.strictObject({
  acme_server_id: idParam.optional(),
  account__contact: contact.optional(),
  account__order_default_private_key_cycle: accountKeyCycle.default('single_use'),
  account__order_default_private_key_technology: compatTechnology.default('EC_P256'),
});

export const compatEditAccountForm = z.strictObject({
  account__order_default_private_key_cycle: accountKeyCycle.optional(),
  account__order_default_private_key_technology: compatTechnology.optional(),
  account__private_key_technology: compatTechnology.optional(),
});

/** deactivate.json / key-change.json: the active key as MD5 of its PEM, or the PEM itself — a deliberate confirmation. */
export const compatDeactivateForm = z.strictObject({ key_pem: z.string({ error: 'is required' }).trim().min(1, 'is required').max(MAX_PEM) });
export const compatKeyChangeForm = z.strictObject({ key_pem_existing: z.string({ error: 'is required' }).trim().min(1, 'is required').max(MAX_PEM) });
