import type { Event } from '../shared/event.js';
import type { DeployOperation, StashReason } from './rules.js';
import type { CertificateRef, TlsWish } from './state.js';

/** Ids only: keys and PEMs never enter these events. */
type SiteFact = { siteId: string };

/** Recorded when the site is new, comes back, or changes its names or wish. */
export type SiteDeployed = Event<'SiteDeployed', SiteFact & { operation: DeployOperation; hostNames: string[]; wish: TlsWish; deployedAt: string }>;
export type SiteUndeployed = Event<'SiteUndeployed', SiteFact & { undeployedAt: string }>;

/** The site serves this ACME certificate, enrolled for renewal (given: imported by the caller; issued: by our order). */
export type SiteAcmeCertificateAssigned = Event<'SiteAcmeCertificateAssigned', SiteFact & {
  certificate: CertificateRef;
  source: 'given' | 'issued';
  attemptId: string | null;
  assignedAt: string;
}>;
export type SiteOwnCertificateAssigned = Event<'SiteOwnCertificateAssigned', SiteFact & { certificateId: string; assignedAt: string }>;

/** Kept for a later deploy, no longer renewed. */
export type SiteCertificateStashed = Event<'SiteCertificateStashed', SiteFact & { certificate: CertificateRef; reason: StashReason; stashedAt: string }>;
/** Served again and enrolled for renewal again. */
export type SiteCertificateUnstashed = Event<'SiteCertificateUnstashed', SiteFact & { certificate: CertificateRef; unstashedAt: string }>;
/** An expired stashed certificate leaves the stash instead of being unstashed. */
export type SiteStashedCertificateDiscarded = Event<'SiteStashedCertificateDiscarded', SiteFact & { certificate: CertificateRef; reason: 'expired'; discardedAt: string }>;

/** The command layer runs the order now and records its outcome with the same attemptId. */
export type SiteAcmeIssueStarted = Event<'SiteAcmeIssueStarted', SiteFact & { attemptId: string; hostNames: string[]; startedAt: string }>;

/** Served over plain HTTP, and why: wished, or the synchronous order failed (message says how). */
export type SiteServedWithoutTls = Event<'SiteServedWithoutTls', SiteFact & {
  reason: 'wished' | 'acmeIssueFailed';
  attemptId: string | null;
  message: string | null;
  servedAt: string;
}>;

/** The renewal run renewed one of the site's certificates: the site serves (or keeps stashed) the new one. */
export type SiteCertificateRenewed = Event<'SiteCertificateRenewed', SiteFact & {
  previous: CertificateRef;
  certificate: CertificateRef;
  role: 'current' | 'stashed';
  renewedAt: string;
}>;

export type SiteBackedUp = Event<'SiteBackedUp', SiteFact & { exportedCertificateId: string | null; backedUpAt: string }>;

export type SiteEvent =
  | SiteDeployed
  | SiteUndeployed
  | SiteAcmeCertificateAssigned
  | SiteOwnCertificateAssigned
  | SiteCertificateStashed
  | SiteCertificateUnstashed
  | SiteStashedCertificateDiscarded
  | SiteAcmeIssueStarted
  | SiteServedWithoutTls
  | SiteCertificateRenewed
  | SiteBackedUp;
