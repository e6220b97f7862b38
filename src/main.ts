import { createServer, type RequestListener, type Server } from 'node:http';
import { ValidationError } from './domain/shared/errors.js';
import { appDepsFrom } from './http/app-factory.js';
import { createAdminApp } from './http/admin-app.js';
import { createFastLookup } from './http/fast-lookup.js';
import { createPublicApp } from './http/public-app.js';
import { ConfigError, loadConfig } from './infra/config.js';
import { createRuntime } from './infra/container.js';
import { createLogger } from './infra/logger.js';

const listen = (app: RequestListener, host: string, port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger);
  const deps = appDepsFrom(runtime.container);
  const servers: Server[] = [];
  try {
    if (config.roles.includes('admin')) {
      const admin = createAdminApp(deps);
      const index = deps.servedIndex;
      // nginx's config.json lookups are answered from memory in front of Express (src/http/fast-lookup.ts).
      index?.start();
      servers.push(await listen(index ? createFastLookup(deps, index, admin) : admin, config.adminListen.host, config.adminListen.port));
      logger.info('admin listening', { address: `${config.adminListen.host}:${config.adminListen.port}`, prefix: config.adminPrefix });
    }
    if (config.roles.includes('public')) {
      servers.push(await listen(createPublicApp(deps), config.publicListen.host, config.publicListen.port));
      logger.info('public listening', { address: `${config.publicListen.host}:${config.publicListen.port}` });
    }
  } catch (error) {
    await deps.servedIndex?.stop();
    await runtime.close();
    throw error;
  }
  const stop = async (signal: string) => {
    logger.info('stopping', { signal });
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await deps.servedIndex?.stop();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

const describe = (error: unknown): string => {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof ValidationError) {
    return `Invalid configuration:\n${Object.entries(error.fields).map(([field, problem]) => `  - CERTLEDGER_DNS_PROVIDER.${field}: ${problem}`).join('\n')}`;
  }
  return `certledger failed to start: ${(error as Error)?.message ?? String(error)}`;
};

main().catch((error: unknown) => {
  const message = describe(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
