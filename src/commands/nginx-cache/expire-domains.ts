import { ValidationError } from '../../domain/shared/errors.js';
import type { CommandContext } from '../handle.js';
import type { NginxCacheDeps, NginxExpiryCause } from './deps.js';
import { recordExpiry, type NginxExpiryRecorded } from './record.js';

/** `expire/domain/{name}` for each name on every server, recorded as one NginxCacheExpired. */
export async function expireNginxDomains(
  deps: NginxCacheDeps,
  domainNames: readonly string[],
  cause: NginxExpiryCause = { trigger: 'operator' },
  context: CommandContext = {},
): Promise<NginxExpiryRecorded> {
  const names = [...new Set(domainNames.map((n) => n.trim().toLowerCase()))].filter(Boolean);
  if (names.length === 0) throw new ValidationError({ domain_names: 'at least one domain name is required' });
  const fanOut = await deps.nginx.expireDomains(names);
  return recordExpiry(deps, { scope: 'domains', domainNames: names }, cause, fanOut, context);
}
