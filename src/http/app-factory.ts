import type { DependencyContainer } from 'tsyringe';
import type { Config } from '../infra/config.js';
import type { KeyVault } from '../infra/key-vault/port.js';
import { TOKENS } from '../infra/tokens.js';
import type { AppDeps } from './app-deps.js';
import { createServedIndex } from './served-index/served-index.js';

/** The only place the HTTP layer touches the container: it hands plain deps to the apps. */
export function appDepsFrom(container: DependencyContainer): AppDeps {
  const config = container.resolve<Config>(TOKENS.Config);
  const logger = container.resolve<AppDeps['logger']>(TOKENS.Logger);
  const db = container.resolve<AppDeps['db']>(TOKENS.Db);
  const store = container.resolve<AppDeps['store']>(TOKENS.EventStore);
  const projections = container.resolve<AppDeps['projections']>(TOKENS.Projections);
  const vault = container.resolve<KeyVault>(TOKENS.KeyVault);
  // Idle until main starts it (admin role); the routes shred through its vault so memory forgets first.
  const servedIndex = config.servedCacheMb > 0
    ? createServedIndex({ db, store, vault, projections, logger, fragmentBudgetBytes: config.servedCacheMb * 1024 * 1024 })
    : undefined;
  return {
    db,
    store,
    vault: servedIndex?.vault ?? vault,
    servedIndex,
    acme: container.resolve(TOKENS.AcmeSessions),
    projections,
    redis: container.isRegistered(TOKENS.Redis) ? container.resolve(TOKENS.Redis) : undefined,
    redisPrime: config.redisPrime,
    primeStatus: container.isRegistered(TOKENS.PrimeStatus) ? container.resolve(TOKENS.PrimeStatus) : undefined,
    nginx: container.isRegistered(TOKENS.NginxCache) ? container.resolve(TOKENS.NginxCache) : undefined,
    dns: container.isRegistered(TOKENS.DnsProvider) ? container.resolve(TOKENS.DnsProvider) : undefined,
    logger,
    now: container.resolve(TOKENS.Clock),
    adminPrefix: config.adminPrefix,
    adminToken: config.adminToken,
    autocertNames: config.autocertNames,
    metrics: container.isRegistered(TOKENS.Metrics) ? container.resolve(TOKENS.Metrics) : undefined,
    publicRateLimit: config.publicRateLimit > 0 ? { limit: config.publicRateLimit, windowMs: 10_000 } : undefined,
  };
}
