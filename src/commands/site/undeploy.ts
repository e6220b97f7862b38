import type { CommandContext } from '../handle.js';
import { finish, type SiteOutcome } from './deploy.js';
import type { SiteDeps, SiteIssuer } from './deps.js';
import { withSiteLock } from './lock.js';
import { recordOnSite } from './stream.js';

/** Its ACME certificate is stashed (kept, its renewal configuration deactivated). */
export function undeploySite(deps: SiteDeps, siteId: string, issuer: SiteIssuer = {}, context: CommandContext = {}): Promise<SiteOutcome> {
  return withSiteLock(deps, siteId, async () => {
    const handled = await recordOnSite(deps.store, siteId, { type: 'UndeploySite', now: deps.now().toISOString() }, context);
    return finish(deps, siteId, issuer, handled.events, handled.position, null, context);
  });
}
