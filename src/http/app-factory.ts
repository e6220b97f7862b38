import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../infra/tokens.js';
import type { AppDeps } from './app-deps.js';

/** The only place the HTTP layer touches the container: it hands plain deps to the apps. */
export function appDepsFrom(container: DependencyContainer): AppDeps {
  const config = container.resolve<import('../infra/config.js').Config>(TOKENS.Config);
  return {
    db: container.resolve(TOKENS.Db),
    store: container.resolve(TOKENS.EventStore),
    vault: container.resolve(TOKENS.KeyVault),
    acme: container.resolve(TOKENS.AcmeSessions),
    projections: container.resolve(TOKENS.Projections),
    redis: container.isRegistered(TOKENS.Redis) ? container.resolve(TOKENS.Redis) : undefined,
    redisPrime: config.redisPrime,
    primeStatus: container.isRegistered(TOKENS.PrimeStatus) ? container.resolve(TOKENS.PrimeStatus) : undefined,
    nginx: container.isRegistered(TOKENS.NginxCache) ? container.resolve(TOKENS.NginxCache) : undefined,
    dns: container.isRegistered(TOKENS.DnsProvider) ? container.resolve(TOKENS.DnsProvider) : undefined,
    logger: container.resolve(TOKENS.Logger),
    now: container.resolve(TOKENS.Clock),
    adminPrefix: config.adminPrefix,
    adminToken: config.adminToken,
    autocertNames: config.autocertNames,
  };
}
