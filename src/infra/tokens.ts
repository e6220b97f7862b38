import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { AcmeSessions } from '../commands/acme/session.js';
import type { ProjectionsView } from '../http/app-deps.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/kysely.js';
import type { Database } from './db/schema.js';
import type { EventStore } from './eventstore/port.js';
import type { KeyVault } from './key-vault/port.js';
import type { DnsProvider } from './dns/port.js';
import type { Logger } from './logger.js';
import type { NginxCacheClient } from './nginx/port.js';
import type { PrimeStatusView } from '../http/app-deps.js';
import type { Metrics } from '../http/metrics.js';

/** Typed tokens: esbuild emits no decorator metadata, so everything is registered and resolved by token. */
export const TOKENS = {
  Config: Symbol('Config') as symbol & { __type?: Config },
  Logger: Symbol('Logger') as symbol & { __type?: Logger },
  DatabaseHandle: Symbol('DatabaseHandle') as symbol & { __type?: DatabaseHandle },
  Db: Symbol('Db') as symbol & { __type?: Kysely<Database> },
  EventStore: Symbol('EventStore') as symbol & { __type?: EventStore },
  KeyVault: Symbol('KeyVault') as symbol & { __type?: KeyVault },
  Redis: Symbol('Redis') as symbol & { __type?: Redis | undefined },
  Projections: Symbol('Projections') as symbol & { __type?: ProjectionsView },
  AcmeSessions: Symbol('AcmeSessions') as symbol & { __type?: AcmeSessions },
  DnsProvider: Symbol('DnsProvider') as symbol & { __type?: DnsProvider },
  Clock: Symbol('Clock') as symbol & { __type?: () => Date },
  NginxCache: Symbol('NginxCache') as symbol & { __type?: NginxCacheClient },
  PrimeStatus: Symbol('PrimeStatus') as symbol & { __type?: () => PrimeStatusView },
  Metrics: Symbol('Metrics') as symbol & { __type?: Metrics },
} as const;

export type TokenType<T> = T extends { __type?: infer V } ? V : never;
