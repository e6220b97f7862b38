/**
 * DNS provider settings, validated at the edge (they will come from the environment or the
 * API). Every problem names its field; no message repeats a value, so a mistyped secret is
 * never echoed into a log or an HTTP answer.
 */
import { z } from 'zod';
import { ValidationError } from '../../domain/shared/errors.js';
import { parseName } from './names.js';

const dnsName = (what: string) => z.string().transform((value, ctx) => {
  const name = parseName(value);
  if (name === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a DNS name (${what})` });
    return z.NEVER;
  }
  return name;
});

/** `host`, `host:port`, `[v6]` or `[v6]:port`; port 53 when left out. */
const hostPort = z.string().transform((value, ctx) => {
  const match = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value.trim()) ?? /^([^\s:[\]/]+)(?::(\d{1,5}))?$/.exec(value.trim());
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  if (!match || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host, host:port or [IPv6]:port' });
    return z.NEVER;
  }
  return { host: match[1]!, port };
});

const httpUrl = z.string().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const timeoutMs = z.number().int().min(100).max(60_000).default(5_000);

/** Base64 of at least 16 octets (what `tsig-keygen` prints is 32 or 64). */
const tsigSecret = z.string().refine(
  (value) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value) && Buffer.from(value, 'base64').length >= 16,
  'must be base64 of at least 16 octets',
);

const challtestsrv = z.strictObject({
  kind: z.literal('challtestsrv'),
  managementUrl: httpUrl,
  dnsServer: hostPort,
  timeoutMs,
});

const acmeDnsAccount = z.strictObject({
  username: z.string().min(1, 'must not be empty'),
  password: z.string().min(1, 'must not be empty'),
  subdomain: z.string().min(1, 'must not be empty'),
  fulldomain: dnsName('the acme-dns name the CNAME points at').optional(),
  /** As registered (informational: acme-dns enforces it), so a registration is an account as it is. */
  allowFrom: z.array(z.string()).optional(),
});

const acmeDns = z.strictObject({
  kind: z.literal('acme-dns'),
  apiUrl: httpUrl,
  accounts: z.record(
    z.string().refine((key) => parseName(key.replace(/^\*\./, '')) !== undefined, 'must be keyed by the DNS name it validates'),
    acmeDnsAccount,
  ).transform((accounts) => Object.fromEntries(Object.entries(accounts).map(([key, account]) => [parseName(key.replace(/^\*\./, ''))!, account]))),
  timeoutMs,
});

const rfc2136 = z.strictObject({
  kind: z.literal('rfc2136'),
  server: hostPort,
  zone: dnsName('the zone apex'),
  tsig: z.strictObject({
    name: dnsName('the TSIG key name'),
    algorithm: z.enum(['hmac-sha256', 'hmac-sha512']).default('hmac-sha256'),
    secret: tsigSecret,
  }),
  ttl: z.number().int().min(0).max(86_400).default(60),
  timeoutMs,
});

const KINDS = ['challtestsrv', 'acme-dns', 'rfc2136'] as const;
export const dnsProviderConfigSchema = z.discriminatedUnion('kind', [challtestsrv, acmeDns, rfc2136]);
export type DnsProviderConfig = z.output<typeof dnsProviderConfigSchema>;
export type DnsProviderConfigInput = z.input<typeof dnsProviderConfigSchema>;

/** Throws ValidationError whose `fields` map each bad field (dotted path) to what is wrong. */
export function parseDnsProviderConfig(input: unknown): DnsProviderConfig {
  const parsed = dnsProviderConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[at ? `${at}.${key}` : key] ??= 'is not a setting of this kind';
    } else if (issue.code === 'invalid_union' && at === 'kind') {
      fields.kind = `must be one of ${KINDS.join(', ')}`;
    } else if (issue.code === 'invalid_key') {
      fields[at] ??= issue.issues[0]?.message ?? issue.message;
    } else {
      fields[at || 'config'] ??= issue.message;
    }
  }
  throw new ValidationError(fields, `Invalid DNS provider settings: ${Object.entries(fields).map(([f, m]) => `${f} ${m}`).join('; ')}`);
}

/** The settings with their secrets masked: for showing them back to an operator. */
export function redactDnsProviderConfig(config: DnsProviderConfig): DnsProviderConfig {
  switch (config.kind) {
    case 'challtestsrv':
      return config;
    case 'acme-dns':
      return {
        ...config,
        accounts: Object.fromEntries(Object.entries(config.accounts).map(([name, account]) => [name, { ...account, password: '[redacted]' }])),
      };
    case 'rfc2136':
      return { ...config, tsig: { ...config.tsig, secret: '[redacted]' } };
    default: {
      const unknown: never = config;
      return unknown;
    }
  }
}
