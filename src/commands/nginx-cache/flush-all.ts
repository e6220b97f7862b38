import type { CommandContext } from '../handle.js';
import type { NginxCacheDeps, NginxExpiryCause } from './deps.js';
import { recordExpiry, type NginxExpiryRecorded } from './record.js';

/** `expire/all` on every server (peter_sslers' nginx cache flush), recorded as one NginxCacheExpired. */
export async function flushNginxCache(
  deps: NginxCacheDeps,
  cause: NginxExpiryCause = { trigger: 'operator' },
  context: CommandContext = {},
): Promise<NginxExpiryRecorded> {
  const fanOut = await deps.nginx.expireAll();
  return recordExpiry(deps, { scope: 'all' }, cause, fanOut, context);
}
