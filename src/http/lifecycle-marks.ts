import { activateCertificate } from '../commands/certificate/activate-certificate.js';
import { deactivateCertificate } from '../commands/certificate/deactivate-certificate.js';
import type { MarkInput } from '../commands/certificate/lifecycle.js';
import { markCertificateRevoked } from '../commands/certificate/mark-certificate-revoked.js';
import { activateDomain } from '../commands/domain/activate-domain.js';
import { deactivateDomain } from '../commands/domain/deactivate-domain.js';
import { markPrivateKeyCompromised } from '../commands/private-key/mark-private-key-compromised.js';
import { shredPrivateKey } from '../commands/private-key/shred-private-key.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { domainsServedBy } from '../projections/recents.js';
import type { AppDeps } from './app-deps.js';
import { isId } from './queries/certificates.js';
import { certificateLifecycle, domainLifecycles, privateKeyWithCertificates, type CertificateLifecycle, type DomainLifecycle, type PrivateKeyView } from './queries/lifecycle.js';

export type CertificateAction = 'deactivate' | 'activate' | 'revoke';
export type DomainAction = 'activate' | 'deactivate';

const commandDeps = (deps: AppDeps) => ({ store: deps.store, db: deps.db, now: deps.now });

/** Read-your-writes: the answer shows the catalog after the mark. */
const caughtUp = async (deps: AppDeps, position: bigint | null) => {
  if (position !== null) await deps.projections.waitFor(position);
};

export type CertificateMarked = {
  changed: boolean;
  certificate: CertificateLifecycle;
  /** Domains whose recents the mark moved (lost or gained this certificate), as they are now. */
  domains: DomainLifecycle[];
};

/** One certificate mark, the same for the native and the peter_sslers routes. */
export async function markCertificate(deps: AppDeps, certificateId: string, action: CertificateAction, mark: MarkInput): Promise<CertificateMarked> {
  if (!isId(certificateId)) throw new NotFoundError(`certificate ${certificateId} not found`);
  const outcome = action === 'activate'
    ? { ...await activateCertificate(commandDeps(deps), certificateId, mark), latestForDomains: [] }
    : action === 'deactivate'
      ? await deactivateCertificate(commandDeps(deps), certificateId, mark)
      : await markCertificateRevoked(commandDeps(deps), certificateId, mark);
  await caughtUp(deps, outcome.position);
  const certificate = await certificateLifecycle(deps.db, certificateId);
  if (!certificate) throw new NotFoundError(`certificate ${certificateId} not found`);
  const moved = action === 'activate' && outcome.changed ? await domainsServedBy(deps.db, certificateId) : outcome.latestForDomains;
  deps.logger.info('certificate marked', { certificateId, action, changed: outcome.changed });
  return { changed: outcome.changed, certificate, domains: await domainLifecycles(deps.db, moved.map((d) => d.id)) };
}

/** `domainKey` is an id or a normalised name. */
export async function markDomain(deps: AppDeps, domainKey: string, action: DomainAction, mark: MarkInput): Promise<{ changed: boolean; domain: DomainLifecycle }> {
  const handler = action === 'activate' ? activateDomain : deactivateDomain;
  const outcome = await handler(commandDeps(deps), domainKey, mark);
  await caughtUp(deps, outcome.position);
  const [domain] = await domainLifecycles(deps.db, [outcome.domainId]);
  if (!domain) throw new NotFoundError(`domain ${domainKey} not found`);
  deps.logger.info('domain marked', { domainId: outcome.domainId, action, changed: outcome.changed });
  return { changed: outcome.changed, domain };
}

export async function markKeyCompromised(deps: AppDeps, privateKeyId: string, mark: MarkInput): Promise<{ changed: boolean } & PrivateKeyView> {
  if (!isId(privateKeyId)) throw new NotFoundError(`private key ${privateKeyId} not found`);
  const outcome = await markPrivateKeyCompromised(commandDeps(deps), privateKeyId, mark);
  await caughtUp(deps, outcome.position);
  const view = await privateKeyWithCertificates(deps.db, privateKeyId);
  if (!view) throw new NotFoundError(`private key ${privateKeyId} not found`);
  deps.logger.info('private key marked compromised', { privateKeyId, changed: outcome.changed, certificates: view.certificates.length });
  return { changed: outcome.changed, ...view };
}

/** Crypto-shredding: the key is gone for good; its certificates stay in history, out of service. */
export async function shredKey(deps: AppDeps, privateKeyId: string, mark: MarkInput): Promise<{ changed: boolean; deactivated_certificate_ids: string[] } & PrivateKeyView> {
  if (!isId(privateKeyId) || !(await privateKeyWithCertificates(deps.db, privateKeyId))) throw new NotFoundError(`private key ${privateKeyId} not found`);
  const outcome = await shredPrivateKey({ ...commandDeps(deps), vault: deps.vault }, privateKeyId, mark);
  await caughtUp(deps, outcome.position);
  const view = await privateKeyWithCertificates(deps.db, privateKeyId);
  if (!view) throw new NotFoundError(`private key ${privateKeyId} not found`);
  deps.logger.info('private key shredded', { privateKeyId, changed: outcome.changed, certificatesDeactivated: outcome.deactivatedCertificateIds.length });
  return { changed: outcome.changed, deactivated_certificate_ids: outcome.deactivatedCertificateIds, ...view };
}
