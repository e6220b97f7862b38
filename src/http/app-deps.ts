import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { NameRules } from '../domain/autocert/name-rules.js';
import type { AcmeSessions } from '../commands/acme/session.js';
import type { Database } from '../infra/db/schema.js';
import type { DnsProvider } from '../infra/dns/port.js';
import type { EventStore } from '../infra/eventstore/port.js';
import type { KeyVault } from '../infra/key-vault/port.js';
import type { Logger } from '../infra/logger.js';
import type { NginxCacheClient } from '../infra/nginx/port.js';
import type { PrimeOptions } from '../infra/redis/prime-commands.js';
import type { Metrics } from './metrics.js';
import type { PublicRateLimit } from './rate-limit.js';
import type { ServedIndex } from './served-index/served-index.js';

export type ProjectionStatus = { name: string; version: number; position: bigint; lastError?: string };

/** What the HTTP layer needs of the projections: read-your-writes and lag. */
export type ProjectionsView = {
  waitFor: (position: bigint, options?: { timeoutMs?: number; projections?: readonly string[] }) => Promise<void>;
  status: () => ProjectionStatus[] | Promise<ProjectionStatus[]>;
};

export type PrimeStatusView = { position: bigint | undefined; lastError?: string };

export type AppDeps = {
  db: Kysely<Database>;
  store: EventStore;
  vault: KeyVault;
  /** ACME transports and account sessions (one transport per ACME server). */
  acme: AcmeSessions;
  projections: ProjectionsView;
  /** Where dns-01 records go (orders with dns-01 names are refused without one). */
  dns?: DnsProvider;
  redis?: Redis;
  /** Styles and TTLs of the Redis prime (full prime on demand); both styles, no TTL when absent. */
  redisPrime?: PrimeOptions;
  /** The Redis prime projection's position in this process (projector role with REDIS_URL); absent elsewhere. */
  primeStatus?: () => PrimeStatusView;
  /** The nginx servers whose certificate caches certledger expires (CERTLEDGER_NGINX_SERVERS); absent when none. */
  nginx?: NginxCacheClient;
  logger: Logger;
  now: () => Date;
  adminPrefix: string;
  adminToken?: string;
  /** config.json from memory (admin role; absent with CERTLEDGER_SERVED_CACHE_MB=0). Its vault is `vault`. */
  servedIndex?: ServedIndex;
  /** Requests per address the public app answers in each window (CERTLEDGER_PUBLIC_RATE_LIMIT); none: no limit. */
  publicRateLimit?: PublicRateLimit;
  /** Prometheus registry of this process (GET /metrics); absent in tests that do not ask for it. */
  metrics?: Metrics;
  /** CERTLEDGER_AUTOCERT_BLOCKLIST / _ALLOW: names autocert, certificate-if-needed and the domain queue refuse; none when absent. */
  autocertNames?: NameRules;
};
