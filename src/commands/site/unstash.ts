import type { CommandContext } from '../handle.js';
import { finish, type SiteOutcome } from './deploy.js';
import type { SiteDeps, SiteIssuer } from './deps.js';
import { withSiteLock } from './lock.js';
import { recordOnSite } from './stream.js';

/** Serves a stashed certificate again and re-activates its renewal; an expired one is deleted instead. */
export function unstashSiteCertificate(
  deps: SiteDeps, siteId: string, certificateId: string, issuer: SiteIssuer = {}, context: CommandContext = {},
): Promise<SiteOutcome> {
  return withSiteLock(deps, siteId, async () => {
    const handled = await recordOnSite(deps.store, siteId, { type: 'UnstashSiteCertificate', certificateId, now: deps.now().toISOString() }, context);
    return finish(deps, siteId, issuer, handled.events, handled.position, null, context);
  });
}
