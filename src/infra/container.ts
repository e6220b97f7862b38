import 'reflect-metadata';
import path from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { createAcmeSessions } from '../commands/acme/sessions.js';
import { createNginxExpiryFollower } from '../commands/nginx-cache/auto-expire.js';
import { createDnsProvider } from './dns/index.js';
import { deactivateExpired } from '../commands/maintenance/deactivate-expired.js';
import { raiseExpiryAlerts } from '../commands/maintenance/expiry-alerts.js';
import { startPeriodic } from '../commands/maintenance/periodic.js';
import { startRenewalScheduler } from '../commands/renewal/scheduler.js';
import { catalogProjections } from '../projections/index.js';
import { createCheckpointWatcher } from '../projections/checkpoint-watcher.js';
import { createProjectionSet, type ProjectionSet } from '../projections/runner.js';
import { createPrimeRunner, type PrimeRunner } from '../projections/redis-prime/runner.js';
import type { Config } from './config.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { openDatabase, type DatabaseHandle } from './db/kysely.js';
import { migrateToLatest } from './db/migrate.js';
import type { EventStore } from './eventstore/port.js';
import { createPostgresEventStore } from './eventstore/postgres.js';
import { loadMasterKey, masterKeySource } from './key-vault/master-key.js';
import { createKeyVault } from './key-vault/vault.js';
import { createMetrics } from '../http/metrics.js';
import type { Logger } from './logger.js';
import { createNginxCacheClient } from './nginx/client.js';
import type { NginxCacheClient } from './nginx/port.js';
import { TOKENS } from './tokens.js';

/** The expiry sweep (deactivate-expired, then expiry alerts) in the projector role: soon after start, then every 10 minutes. */
const EXPIRY_SWEEP = { firstDelayMs: 30_000, intervalMs: 10 * 60_000 };

/**
 * Keeps deactivate-expired current without an operator. Only the projector runs it (exactly one
 * process per database), after the catalog has caught up, so the seed rule reads fresh recents.
 */
function startExpirySweep(store: EventStore, handle: DatabaseHandle, projections: ProjectionSet, logger: Logger) {
  return startPeriodic(async () => {
    const result = await deactivateExpired({
      store,
      db: handle.db,
      now: () => new Date(),
      catchUp: async () => projections.waitFor(await store.headPosition(), { timeoutMs: 60_000 }),
    });
    if (result.deactivatedIds.length > 0 || result.keptIds.length > 0) {
      logger.info('expiry sweep', { deactivated: result.deactivatedIds.length, keptAsLatest: result.keptIds.length });
    }
    if (result.position !== null) await projections.waitFor(result.position, { timeoutMs: 60_000 });
    const alerts = await raiseExpiryAlerts({ store, db: handle.db, now: () => new Date() });
    for (const alert of alerts.raised) {
      logger.warn('certificate may expire before it is renewed', {
        certificateId: alert.certificateId, notAfter: alert.notAfter.toISOString(), level: alert.level, risk: alert.risk, domains: alert.domainNames.slice(0, 5).join(','),
      });
    }
  }, { name: 'expiry sweep', logger, ...EXPIRY_SWEEP });
}

export type Runtime = {
  container: DependencyContainer;
  close: () => Promise<void>;
};

/**
 * The composition root: the only place that knows which adapters run. With no configuration,
 * everything lives in PGlite under the data folder and there is no Redis.
 */
export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    let handle: DatabaseHandle;
    if (config.databaseUrl) {
      handle = await openDatabase({ kind: 'postgres', url: config.databaseUrl });
    } else {
      const lock = await lockDataDir(config.dataDir);
      closers.push(lock.release);
      handle = await openDatabase({ kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') });
    }
    closers.push(handle.close);
    await migrateToLatest(handle.db);

    // Imported only when configured: its gRPC client costs ~150 ms of CPU to load.
    const store: EventStore = config.eventStoreUrl
      ? (await import('./eventstore/eventstoredb.js')).createEventStoreDbEventStore(config.eventStoreUrl)
      : createPostgresEventStore(handle);
    closers.push(() => store.close());

    const master = await loadMasterKey(masterKeySource(config));
    const vault = createKeyVault(handle.db, master);
    const metrics = createMetrics();
    const acme = createAcmeSessions({ store, vault, logger, observeExchange: metrics.acmeExchange });
    // Validated at start: a bad provider setting stops the service with the field named.
    const dns = config.dnsProvider === undefined ? undefined : createDnsProvider(config.dnsProvider);
    closers.push(() => acme.close());

    // Imported only when configured: ioredis costs ~90 ms of CPU to load.
    const redis = config.redisUrl ? (await import('./redis/client.js')).openRedis(config.redisUrl, config.redisDb) : undefined;
    if (redis) {
      // Redis is a cache: an outage is logged, never fatal.
      redis.on('error', (error: Error) => logger.warn('redis error', { error: error.message }));
      closers.push(async () => redis.disconnect());
    }

    // nginx cache control: the client in any role (the routes), the automatic expiry in the projector only.
    let nginx: NginxCacheClient | undefined;
    if (config.nginx) {
      const client = createNginxCacheClient(config.nginx);
      nginx = client;
      closers.push(() => client.close());
    }

    const projector = config.roles.includes('projector')
      ? createProjectionSet({ store, db: handle.db, projections: catalogProjections, logger })
      : undefined;
    const projections = projector ?? createCheckpointWatcher(handle.db, catalogProjections);
    let prime: PrimeRunner | undefined;
    projections.start();
    closers.push(() => projections.stop());
    if (projector) {
      // Closers run in reverse: the sweep stops (and finishes its run) before the projections do.
      const sweep = startExpirySweep(store, handle, projector, logger);
      closers.push(() => sweep.stop());
      if (redis) {
        // Its own connection: the runner WATCHes its checkpoint, which is per connection.
        const primeRedis = redis.duplicate();
        primeRedis.on('error', (error: Error) => logger.warn('redis prime connection error', { error: error.message }));
        closers.push(async () => primeRedis.disconnect());
        prime = createPrimeRunner({
          store,
          db: handle.db,
          vault,
          redis: primeRedis,
          options: config.redisPrime,
          logger,
          waitForCatalog: (position, timeoutMs) => projector.waitFor(position, { projections: ['catalog'], timeoutMs }),
        });
        prime.start();
        const started = prime;
        closers.push(() => started.stop());
      }
      if (nginx && config.nginx?.autoExpire) {
        const served = prime;
        const follower = createNginxExpiryFollower({
          store,
          db: handle.db,
          nginx,
          now: () => new Date(),
          logger,
          // After the catalog and the prime: nginx must refetch the NEW certificate.
          waitForServed: async (position, timeoutMs) => {
            await projector.waitFor(position, { projections: ['catalog'], timeoutMs });
            await served?.waitFor(position, timeoutMs);
          },
        });
        follower.start();
        closers.push(() => follower.stop());
      }
      if (config.renewalScheduler) {
        const renewals = startRenewalScheduler({ store, vault, db: handle.db, now: () => new Date(), acme, projections: projector, dns, logger }, logger);
        closers.push(() => renewals.stop());
      }
    }

    const container = rootContainer.createChildContainer();
    container.register(TOKENS.Config, { useValue: config });
    container.register(TOKENS.Logger, { useValue: logger });
    container.register(TOKENS.DatabaseHandle, { useValue: handle });
    container.register(TOKENS.Db, { useValue: handle.db });
    container.register(TOKENS.EventStore, { useValue: store });
    container.register(TOKENS.KeyVault, { useValue: vault });
    container.register(TOKENS.AcmeSessions, { useValue: acme });
    container.register(TOKENS.Metrics, { useValue: metrics });
    // tsyringe cannot hold an undefined value: no Redis means no registration.
    if (redis) container.register(TOKENS.Redis, { useValue: redis });
    if (dns) container.register(TOKENS.DnsProvider, { useValue: dns });
    container.register(TOKENS.Projections, { useValue: projections });
    container.register(TOKENS.Clock, { useValue: () => new Date() });
    if (nginx) container.register(TOKENS.NginxCache, { useValue: nginx });
    if (prime) {
      const runner = prime;
      container.register(TOKENS.PrimeStatus, { useValue: () => runner.status() });
    }
    logger.info('runtime ready', { database: handle.kind, eventStore: store.kind, redis: Boolean(redis), nginxServers: nginx?.servers.length ?? 0 });
    return { container, close };
  } catch (error) {
    await close();
    throw error;
  }
}
