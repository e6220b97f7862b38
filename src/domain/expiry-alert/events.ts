import type { Event } from '../shared/event.js';

/** Why a served certificate may expire before a renewal replaces it. */
export type ExpiryRisk = 'no_renewal' | 'renewal_failing' | 'renewal_late';

/**
 * Raised once per certificate and level (days left: 30, 14, 7, 3, 1, 0 = expired). Nobody is
 * emailed any more (Let's Encrypt stopped): this event, /metrics and the API are the warning.
 */
export type CertificateExpiryAlertRaised = Event<'CertificateExpiryAlertRaised', {
  certificateId: string;
  domainNames: string[];
  notAfter: string;
  level: number;
  risk: ExpiryRisk;
  /** The renewal configuration that should renew it, when there is one. */
  renewalConfigurationId: string | null;
  raisedAt: string;
}>;

export type ExpiryAlertEvent = CertificateExpiryAlertRaised;
