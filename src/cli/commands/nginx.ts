import type { Command } from 'commander';
import type { NginxFanOut } from '../../infra/nginx/port.js';
import type { AppDeps } from '../../http/app-deps.js';
import { CliError, report, withStores, type GlobalOptions } from '../context.js';

const enabled = (deps: AppDeps) => {
  if (!deps.nginx) throw new CliError('nginx is not enabled: set CERTLEDGER_NGINX_SERVERS');
  return { store: deps.store, nginx: deps.nginx, now: deps.now };
};

const lines = (fanOut: NginxFanOut) =>
  fanOut.servers.map((s) => `${s.ok ? 'ok   ' : 'error'} ${s.server}${s.error ? `: ${s.error}` : ''} (${s.elapsedMs} ms)`);

/** Exit 4 when a server did not answer as asked: scripts see a partial flush. */
const FAILED_SERVER_EXIT = 4;

export function nginxCommands(program: Command, globals: () => GlobalOptions, setExitCode: (code: number) => void): void {
  const nginx = program.command('nginx').description('the certificate caches of the nginx servers (CERTLEDGER_NGINX_SERVERS)');
  const done = (options: GlobalOptions, value: object, fanOut: NginxFanOut) => {
    report(options, value, () => lines(fanOut));
    if (fanOut.errors.length > 0) setExitCode(FAILED_SERVER_EXIT);
  };
  nginx
    .command('flush')
    .description('expire every cached certificate on every server (recorded as an event); exit 4 if a server failed')
    .action(async () => {
      const options = globals();
      const { flushNginxCache } = await import('../../commands/nginx-cache/flush-all.js');
      const recorded = await withStores(options, (deps) => flushNginxCache(enabled(deps), { trigger: 'operator' }, { actor: 'cli' }));
      done(options, { event_id: recorded.eventId, ...recorded.fanOut }, recorded.fanOut);
    });
  nginx
    .command('expire')
    .description('expire the given domains on every server (recorded as an event); exit 4 if a server failed')
    .argument('<domain...>', 'domain names')
    .action(async (domains: string[]) => {
      const options = globals();
      const { expireNginxDomains } = await import('../../commands/nginx-cache/expire-domains.js');
      const recorded = await withStores(options, (deps) => expireNginxDomains(enabled(deps), domains, { trigger: 'operator' }, { actor: 'cli' }));
      done(options, { event_id: recorded.eventId, ...recorded.fanOut }, recorded.fanOut);
    });
  nginx
    .command('status')
    .description('the status document of every server; exit 4 if a server failed')
    .action(async () => {
      const options = globals();
      const { nginxCacheStatus } = await import('../../commands/nginx-cache/status.js');
      const fanOut = await withStores(options, (deps) => nginxCacheStatus(enabled(deps)));
      done(options, fanOut, fanOut);
    });
}
