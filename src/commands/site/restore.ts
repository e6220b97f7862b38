/**
 * Restore a backed-up site here: its certificate and key are imported (whether or not the names
 * point at this machine yet) and, for an ACME site, offered to the rules as the given
 * certificate, so it is served and enrolled for renewal without a new order.
 */
import type { TlsWish } from '../../domain/site/state.js';
import type { CommandContext } from '../handle.js';
import type { SiteDescription } from './backup.js';
import { deploySite, type SiteOutcome } from './deploy.js';
import type { SiteDeps, SiteIssuer } from './deps.js';
import { importMaterial } from './material.js';

export async function restoreSite(deps: SiteDeps, description: SiteDescription, issuer: SiteIssuer = {}, context: CommandContext = {}): Promise<SiteOutcome> {
  const material = description.certificate
    ? { certificatePem: description.certificate.certificatePem, chainPems: description.certificate.chainPems, privateKeyPem: description.certificate.privateKeyPem }
    : null;
  let wish: TlsWish = description.wish;
  if (wish.kind === 'own' && material) {
    // Its own certificate keeps its id (ids follow the fingerprint), but must exist here first.
    wish = { kind: 'own', certificateId: (await importMaterial(deps, material, context)).certificateId };
  }
  return deploySite(deps, {
    operation: 'restore',
    siteId: description.siteId,
    hostNames: description.hostNames,
    wish,
    given: wish.kind === 'acme' ? material : null,
    issuer,
  }, context);
}
