/**
 * A site description another installation can restore: names, wish and the served certificate
 * with its chain and key as PEM. The key leaves only in this answer; the site's own events record
 * that a backup was taken and of which certificate, never the material.
 */
import { NotFoundError } from '../../domain/shared/errors.js';
import type { TlsWish } from '../../domain/site/state.js';
import type { CommandContext } from '../handle.js';
import type { CertificateMaterial, SiteDeps } from './deps.js';
import { withSiteLock } from './lock.js';
import { exportMaterial } from './material.js';
import { loadSite, recordOnSite } from './stream.js';

export type SiteDescription = {
  siteId: string;
  hostNames: string[];
  wish: TlsWish;
  deployed: boolean;
  certificate: (CertificateMaterial & { certificateId: string; notAfter: string }) | null;
};

export function backUpSite(deps: SiteDeps, siteId: string, context: CommandContext = {}): Promise<SiteDescription> {
  return withSiteLock(deps, siteId, async () => {
    const handled = await recordOnSite(deps.store, siteId, { type: 'BackUpSite', now: deps.now().toISOString() }, context);
    const backedUp = handled.events.find((e) => e.type === 'SiteBackedUp');
    const state = await loadSite(deps.store, siteId);
    if (state.status === 'absent') throw new NotFoundError(`Site ${siteId} not found`);
    const exportedId = backedUp?.type === 'SiteBackedUp' ? backedUp.data.exportedCertificateId : null;
    return {
      siteId,
      hostNames: state.hostNames,
      wish: state.wish,
      deployed: state.status === 'deployed',
      certificate: exportedId ? await exportMaterial(deps, exportedId) : null,
    };
  });
}
