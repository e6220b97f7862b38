import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parsePatternList } from '../domain/autocert/name-rules.js';

const listen = (name: string, fallback: string) =>
  z.string().default(fallback).transform((value, ctx) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(value.trim());
    const port = match ? Number(match[2]) : NaN;
    if (!match || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `${name} must be host:port (e.g. 127.0.0.1:7201), got "${value}"` });
      return z.NEVER;
    }
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });

const url = (name: string, protocols: string[]) =>
  z.string().optional().transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL` });
      return z.NEVER;
    }
  });

const roles = ['admin', 'public', 'projector'] as const;

const nginxPath = (name: string, fallback: string) =>
  z.string().default(fallback).refine((p) => /^\/\S*$/.test(p) && !p.endsWith('/'), `${name} must start with "/" and not end with "/"`);

// peter_sslers' nginx.* settings: nginx.servers_pool, nginx.userpass, nginx.reset_path, nginx.status_path, nginx.timeout, nginx.ca_bundle_pem.
const nginxSchema = {
  CERTLEDGER_NGINX_SERVERS: z.string().optional().transform((value, ctx) => {
    const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const server of list) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(server);
      } catch {
        parsed = undefined;
      }
      // Credentials go in CERTLEDGER_NGINX_USERPASS, never in a URL that ends up in events and logs.
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
        const shown = server.replace(/\/\/[^/@]*@/, '//***@');
        ctx.addIssue({ code: 'custom', message: `CERTLEDGER_NGINX_SERVERS takes comma-separated http:// or https:// base URLs without credentials (see CERTLEDGER_NGINX_USERPASS); got "${shown}"` });
        return z.NEVER;
      }
    }
    return [...new Set(list.map((s) => s.replace(/\/+$/, '')))];
  }),
  CERTLEDGER_NGINX_USERPASS: z.string().optional().refine(
    (v) => v === undefined || /^[^:]+:.+$/s.test(v),
    'CERTLEDGER_NGINX_USERPASS must be user:password',
  ),
  CERTLEDGER_NGINX_EXPIRE_PATH: nginxPath('CERTLEDGER_NGINX_EXPIRE_PATH', '/.peter_sslers/nginx/shared_cache/expire'),
  CERTLEDGER_NGINX_STATUS_PATH: nginxPath('CERTLEDGER_NGINX_STATUS_PATH', '/.peter_sslers/nginx/shared_cache/status'),
  CERTLEDGER_NGINX_TIMEOUT_MS: z.string().default('2000').refine(
    (v) => /^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 600_000,
    'CERTLEDGER_NGINX_TIMEOUT_MS must be milliseconds between 1 and 600000',
  ).transform(Number),
  // Read at start: a missing or unreadable bundle stops the start instead of failing every request.
  CERTLEDGER_NGINX_CA_BUNDLE: z.string().optional().transform((file, ctx) => {
    if (file === undefined) return undefined;
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `CERTLEDGER_NGINX_CA_BUNDLE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${file}` });
      return z.NEVER;
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      ctx.addIssue({ code: 'custom', message: `CERTLEDGER_NGINX_CA_BUNDLE holds no PEM certificate: ${file}` });
      return z.NEVER;
    }
    return pem;
  }),
  CERTLEDGER_NGINX_AUTO_EXPIRE: z.enum(['on', 'off'], { error: 'CERTLEDGER_NGINX_AUTO_EXPIRE must be on or off' }).default('on'),
};

/** nginx cache control (CERTLEDGER_NGINX_*); present only when CERTLEDGER_NGINX_SERVERS names a server. */
export type NginxConfig = {
  servers: string[];
  userpass?: { user: string; password: string };
  expirePath: string;
  statusPath: string;
  timeoutMs: number;
  /** The PEM contents of CERTLEDGER_NGINX_CA_BUNDLE, for https servers. */
  caBundlePem?: string;
  /** Expire a domain on every server when the certificate it serves changes (projector role). */
  autoExpire: boolean;
};

function nginxConfig(e: z.output<z.ZodObject<typeof nginxSchema>>): NginxConfig | undefined {
  if (e.CERTLEDGER_NGINX_SERVERS.length === 0) return undefined;
  const colon = e.CERTLEDGER_NGINX_USERPASS?.indexOf(':') ?? -1;
  return {
    servers: e.CERTLEDGER_NGINX_SERVERS,
    ...(e.CERTLEDGER_NGINX_USERPASS && colon > 0
      ? { userpass: { user: e.CERTLEDGER_NGINX_USERPASS.slice(0, colon), password: e.CERTLEDGER_NGINX_USERPASS.slice(colon + 1) } }
      : {}),
    expirePath: e.CERTLEDGER_NGINX_EXPIRE_PATH,
    statusPath: e.CERTLEDGER_NGINX_STATUS_PATH,
    timeoutMs: e.CERTLEDGER_NGINX_TIMEOUT_MS,
    ...(e.CERTLEDGER_NGINX_CA_BUNDLE === undefined ? {} : { caBundlePem: e.CERTLEDGER_NGINX_CA_BUNDLE }),
    autoExpire: e.CERTLEDGER_NGINX_AUTO_EXPIRE === 'on',
  };
}

const schema = z.object({
  CERTLEDGER_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  EVENTSTORE_URL: url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kdb:']),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']),
  CERTLEDGER_REDIS_DB: z.coerce.number().int().min(0).max(15).optional(),
  // Which prime styles the projection writes (DESIGN.md §5): "1", "2" or "1,2".
  CERTLEDGER_REDIS_PRIME_STYLES: z.string().default('1,2').transform((value, ctx) => {
    const list = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
    if (list.length === 0 || list.some((s) => s !== '1' && s !== '2')) {
      ctx.addIssue({ code: 'custom', message: `CERTLEDGER_REDIS_PRIME_STYLES takes 1, 2 or 1,2; got "${value}"` });
      return z.NEVER;
    }
    return list.map(Number) as (1 | 2)[];
  }),
  // One number for every key, or per kind: "d1=3600,d2=3600,c=86400,p=86400,i=86400".
  CERTLEDGER_REDIS_PRIME_TTL_SECONDS: z.string().optional().transform((value, ctx) => {
    if (value === undefined) return {};
    const kinds = ['d1', 'd2', 'c', 'p', 'i'] as const;
    const positive = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? Number(s) : undefined);
    const all = positive(value);
    if (all !== undefined) return Object.fromEntries(kinds.map((k) => [k, all])) as PrimeTtls;
    const ttls: PrimeTtls = {};
    for (const part of value.split(',')) {
      const [kind = '', seconds = ''] = part.split('=').map((s) => s.trim());
      const n = positive(seconds);
      if (!(kinds as readonly string[]).includes(kind) || n === undefined) {
        ctx.addIssue({ code: 'custom', message: `CERTLEDGER_REDIS_PRIME_TTL_SECONDS takes seconds, or kind=seconds for d1, d2, c, p, i; got "${value}"` });
        return z.NEVER;
      }
      ttls[kind as keyof PrimeTtls] = n;
    }
    return ttls;
  }),
  CERTLEDGER_ADMIN_LISTEN: listen('CERTLEDGER_ADMIN_LISTEN', '127.0.0.1:7201'),
  CERTLEDGER_PUBLIC_LISTEN: listen('CERTLEDGER_PUBLIC_LISTEN', '127.0.0.1:7202'),
  CERTLEDGER_ADMIN_PREFIX: z.string().default('/.well-known/peter_sslers').refine(
    (p) => /^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/.test(p),
    'CERTLEDGER_ADMIN_PREFIX must start with "/" and not end with "/"',
  ),
  CERTLEDGER_ADMIN_TOKEN: z.string().optional().refine(
    (t) => t === undefined || t.length >= 16,
    'CERTLEDGER_ADMIN_TOKEN must be at least 16 characters',
  ),
  CERTLEDGER_MASTER_KEY: z.string().optional(),
  CERTLEDGER_MASTER_KEY_PREVIOUS: z.string().optional(),
  CERTLEDGER_ROLES: z.string().default('admin,public,projector').transform((value, ctx) => {
    const list = value.split(',').map((r) => r.trim()).filter(Boolean);
    const unknown = list.filter((r) => !(roles as readonly string[]).includes(r));
    if (unknown.length > 0 || list.length === 0) {
      ctx.addIssue({ code: 'custom', message: `CERTLEDGER_ROLES takes a comma-separated list of ${roles.join(', ')}; got "${value}"` });
      return z.NEVER;
    }
    return list as (typeof roles)[number][];
  }),
  CERTLEDGER_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // Requests per client address per 10 s on the public listener (ACME answers, whoami); 0: no limit.
  CERTLEDGER_PUBLIC_RATE_LIMIT: z.coerce.number({ error: 'CERTLEDGER_PUBLIC_RATE_LIMIT must be a number of requests' }).int().min(0).max(1_000_000).default(1000),
  // config.json's PEM fragments kept in memory (MiB); 0 turns the in-memory lookup off.
  CERTLEDGER_SERVED_CACHE_MB: z.coerce.number({ error: 'CERTLEDGER_SERVED_CACHE_MB must be a number of MiB' }).int().min(0).max(65_536).default(64),
  // The in-process renewal scheduler (projector role only); off unless asked for.
  CERTLEDGER_RENEWAL_SCHEDULER: z.enum(['on', 'off'], { error: 'CERTLEDGER_RENEWAL_SCHEDULER must be on or off' }).default('off'),
  // Comma-separated globs (src/domain/autocert/name-rules.ts), decided before any storage or ACME work.
  CERTLEDGER_AUTOCERT_BLOCKLIST: z.string().optional(),
  CERTLEDGER_AUTOCERT_ALLOW: z.string().optional(),
  CERTLEDGER_DNS_PROVIDER: z.string().optional().transform((value, ctx) => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'CERTLEDGER_DNS_PROVIDER must be a JSON object (see README: dns-01 providers)' });
      return z.NEVER;
    }
  }),
  ...nginxSchema,
});

/** Seconds per key kind of the Redis prime; absent kinds never expire. */
export type PrimeTtls = Partial<Record<'d1' | 'd2' | 'c' | 'p' | 'i', number>>;

export type Config = {
  dataDir: string;
  databaseUrl?: string;
  eventStoreUrl?: string;
  redisUrl?: string;
  redisDb: number;
  /** What the Redis prime projection writes (CERTLEDGER_REDIS_PRIME_STYLES / _TTL_SECONDS). */
  redisPrime: { styles: (1 | 2)[]; ttlSeconds: PrimeTtls };
  adminListen: { host: string; port: number };
  publicListen: { host: string; port: number };
  adminPrefix: string;
  adminToken?: string;
  masterKey?: string;
  /** Earlier master keys (comma-separated) that vault entries may still be under until `certledger keys rotate` ran. */
  masterKeyPrevious?: string;
  roles: ('admin' | 'public' | 'projector')[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Requests per client address per 10 s on the public app (CERTLEDGER_PUBLIC_RATE_LIMIT); 0: none. */
  publicRateLimit: number;
  /** MiB of config.json fragments the served index keeps (CERTLEDGER_SERVED_CACHE_MB); 0: no in-memory lookup. */
  servedCacheMb: number;
  /** Run renewals periodically in this process (projector role only). */
  renewalScheduler: boolean;
  /** Raw provider settings; validated by createDnsProvider, which names each bad field. */
  dnsProvider?: unknown;
  /** Names autocert, certificate-if-needed and the domain queue refuse (blocklist) or keep to (allow; empty: any). */
  autocertNames: { blocklist: string[]; allow: string[] };
  /** nginx cache control; undefined when CERTLEDGER_NGINX_SERVERS is unset (control off). */
  nginx?: NginxConfig;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as shells and compose files tend to pass them. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.message.startsWith(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`)));
  }
  const e = parsed.data;
  return {
    dataDir: path.resolve(e.CERTLEDGER_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    eventStoreUrl: e.EVENTSTORE_URL,
    redisUrl: e.REDIS_URL,
    redisDb: e.CERTLEDGER_REDIS_DB ?? 9,
    redisPrime: { styles: e.CERTLEDGER_REDIS_PRIME_STYLES, ttlSeconds: e.CERTLEDGER_REDIS_PRIME_TTL_SECONDS },
    adminListen: e.CERTLEDGER_ADMIN_LISTEN,
    publicListen: e.CERTLEDGER_PUBLIC_LISTEN,
    adminPrefix: e.CERTLEDGER_ADMIN_PREFIX,
    adminToken: e.CERTLEDGER_ADMIN_TOKEN,
    masterKey: e.CERTLEDGER_MASTER_KEY,
    masterKeyPrevious: e.CERTLEDGER_MASTER_KEY_PREVIOUS,
    roles: e.CERTLEDGER_ROLES,
    logLevel: e.CERTLEDGER_LOG_LEVEL,
    publicRateLimit: e.CERTLEDGER_PUBLIC_RATE_LIMIT,
    servedCacheMb: e.CERTLEDGER_SERVED_CACHE_MB,
    renewalScheduler: e.CERTLEDGER_RENEWAL_SCHEDULER === 'on',
    dnsProvider: e.CERTLEDGER_DNS_PROVIDER,
    autocertNames: { blocklist: parsePatternList(e.CERTLEDGER_AUTOCERT_BLOCKLIST), allow: parsePatternList(e.CERTLEDGER_AUTOCERT_ALLOW) },
    nginx: nginxConfig(e),
  };
}
