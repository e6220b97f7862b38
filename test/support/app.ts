import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { createAcmeAccount } from '../../src/commands/acme-account/create-acme-account.js';
import { registerAcmeServer } from '../../src/commands/acme-server/register-acme-server.js';
import { createAcmeSessions } from '../../src/commands/acme/sessions.js';
import { createNginxExpiryFollower, type NginxExpiryFollower, type NginxExpirySettings } from '../../src/commands/nginx-cache/auto-expire.js';
import type { AccountKeyTechnology, AcmeAccountOrderDefaults } from '../../src/domain/acme-account/defaults.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import type { AppDeps } from '../../src/http/app-deps.js';
import { createPublicApp } from '../../src/http/public-app.js';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { masterKeyId } from '../../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import { silentLogger, type Logger } from '../../src/infra/logger.js';
import type { NginxCacheClient } from '../../src/infra/nginx/port.js';
import type { PrimeOptions } from '../../src/infra/redis/prime-commands.js';
import { catalogProjections, createProjectionSet, type ProjectionSet } from '../../src/projections/index.js';
import { createPrimeRunner, type PrimeRunner, type PrimeRunnerSettings } from '../../src/projections/redis-prime/runner.js';
import { openTestDatabase } from './db.js';

export const REDIS_TEST_DB = 11;

export type TestServer = { url: string; close: () => Promise<void> };

export async function listenOn(app: Express): Promise<TestServer> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // Longer than undici's 4 s: a busy test process must not close an idle socket as the client reuses it (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function openRedisForTests(db = REDIS_TEST_DB): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, db, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (error) {
    throw new Error('Redis is not reachable at 127.0.0.1:6379: start it (see .ci/run)', { cause: error });
  }
  return redis;
}

export type TestStack = {
  handle: DatabaseHandle;
  deps: AppDeps;
  admin: TestServer;
  public: TestServer;
  redis?: Redis;
  /** The projection set itself (waitFor by projection name). */
  projectionSet: ProjectionSet;
  /** Set when started with `prime`: the Redis prime projection, on its own connection to `redisDb`. */
  prime?: PrimeRunner;
  /** Set when started with `pebble`: that Pebble, registered as the default ACME server (its listener CA trusted). */
  acmeServerId?: string;
  /** Set when started with `nginxAutoExpire`: the automatic nginx expiry follower. */
  nginxExpiry?: NginxExpiryFollower;
  close: () => Promise<void>;
};

/** The real wiring (event store, vault, projections, both apps) on one fresh database. */
export async function startTestStack(
  kind: 'pglite' | 'postgres',
  options: {
    adminToken?: string;
    redis?: boolean;
    /** The Redis database `redis` (and `prime`) use; REDIS_TEST_DB unless given. */
    redisDb?: number;
    /** Starts the Redis prime projection (needs `redis`). */
    prime?: { options?: PrimeOptions; settings?: Partial<PrimeRunnerSettings> };
    /** The clock the apps see (expiry filters, import flags). */
    now?: () => Date;
    /** Registers this Pebble (`inject('pebble')`) as the default ACME server, trusting its `caPem`. */
    pebble?: { directoryUrl: string; caPem: string };
    /** The vault's master key (a CLI child process given the same key reads the same keys); random unless given. */
    masterKey?: Buffer;
    /** nginx cache control for the routes (the caller closes the client). */
    nginx?: NginxCacheClient;
    /** With `nginx`: also starts the automatic expiry follower (after the catalog and, with `prime`, the prime). */
    nginxAutoExpire?: Partial<NginxExpirySettings>;
    /** The apps' logger (request lines, route logs); silent unless given. */
    logger?: Logger;
  } = {},
): Promise<TestStack> {
  const handle = await openTestDatabase(kind);
  const store = createPostgresEventStore(handle);
  const key = options.masterKey ?? randomBytes(32);
  const vault = createKeyVault(handle.db, { key, id: masterKeyId(key) });
  const projections = createProjectionSet({ store, db: handle.db, projections: catalogProjections, logger: silentLogger });
  projections.start();
  const redis = options.redis ? await openRedisForTests(options.redisDb) : undefined;
  const acme = createAcmeSessions({ store, vault, logger: silentLogger });
  const deps: AppDeps = {
    db: handle.db,
    store,
    vault,
    acme,
    projections,
    redis,
    logger: options.logger ?? silentLogger,
    now: options.now ?? (() => new Date()),
    adminPrefix: '/.well-known/peter_sslers',
    adminToken: options.adminToken,
  };
  if (options.prime && redis) deps.redisPrime = options.prime.options;
  const primeRedis = options.prime && redis ? redis.duplicate() : undefined;
  const prime = primeRedis
    ? createPrimeRunner({
      store, db: handle.db, vault, redis: primeRedis, options: options.prime?.options ?? { styles: [1, 2], ttlSeconds: {} }, logger: silentLogger,
      waitForCatalog: (position, timeoutMs) => projections.waitFor(position, { projections: ['catalog'], timeoutMs }),
      settings: options.prime?.settings,
    })
    : undefined;
  prime?.start();
  if (prime) deps.primeStatus = () => prime.status();
  if (options.nginx) deps.nginx = options.nginx;
  const nginxExpiry = options.nginx && options.nginxAutoExpire
    ? createNginxExpiryFollower({
      store, db: handle.db, nginx: options.nginx, now: deps.now, logger: silentLogger, settings: options.nginxAutoExpire,
      waitForServed: async (position, timeoutMs) => {
        await projections.waitFor(position, { projections: ['catalog'], timeoutMs });
        await prime?.waitFor(position, timeoutMs);
      },
    })
    : undefined;
  nginxExpiry?.start();
  const admin = await listenOn(createAdminApp(deps));
  const pub = await listenOn(createPublicApp(deps));
  const acmeServerId = options.pebble
    ? (await registerAcmeServer(deps, { directoryUrl: options.pebble.directoryUrl, caBundlePem: options.pebble.caPem, name: 'pebble', isDefault: true })).acmeServerId
    : undefined;
  return {
    handle,
    deps,
    admin,
    public: pub,
    redis,
    projectionSet: projections,
    prime,
    acmeServerId,
    nginxExpiry,
    close: async () => {
      await admin.close();
      await pub.close();
      await nginxExpiry?.stop();
      await prime?.stop();
      primeRedis?.disconnect();
      await acme.close();
      await projections.stop();
      await store.close();
      redis?.disconnect();
      await handle.close();
    },
  };
}

export function form(fields: Record<string, string | Buffer>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    data.append(name, new Blob([typeof value === 'string' ? Buffer.from(value) : value]), `${name}.pem`);
  }
  return data;
}

/** Response bodies in tests are whatever the API sent; assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();

/**
 * A registered ACME account on the stack's default ACME server (start the stack with `pebble`),
 * made by the command itself (no HTTP). Returns its id; `deps.acme.open(id)` gives a session.
 */
export async function createTestAcmeAccount(
  stack: Pick<TestStack, 'deps'>,
  options: { keyTechnology?: AccountKeyTechnology; contact?: string[]; orderDefaults?: AcmeAccountOrderDefaults; acmeServerId?: string } = {},
): Promise<string> {
  const created = await createAcmeAccount(stack.deps, {
    acmeServerId: options.acmeServerId,
    key: { generate: options.keyTechnology ?? 'EC_P256' },
    contact: options.contact ?? [],
    orderDefaults: options.orderDefaults ?? { privateKeyTechnology: 'EC_P256', privateKeyCycle: 'single_use' },
  });
  return created.acmeAccountId;
}
