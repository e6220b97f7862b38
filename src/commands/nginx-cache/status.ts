import type { NginxFanOut } from '../../infra/nginx/port.js';
import type { NginxCacheDeps } from './deps.js';

/** Every server's status document; a read, so nothing is recorded. */
export function nginxCacheStatus(deps: Pick<NginxCacheDeps, 'nginx'>): Promise<NginxFanOut> {
  return deps.nginx.status();
}
