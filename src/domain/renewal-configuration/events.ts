import type { IssuerChoice } from '../system-policy/policy.js';
import type { Event } from '../shared/event.js';

/** One name and how control of it is proven (same shape as an order's identifiers). */
export type RenewalIdentifier = { type: 'dns' | 'ip'; value: string; challengeType: 'http-01' | 'dns-01' };

export type CertificateFacts = { certificateId: string; notBefore: string; notAfter: string };

export type RenewalConfigurationCreated = Event<'RenewalConfigurationCreated', {
  configurationId: string;
  identifiers: RenewalIdentifier[];
  uniqueFqdnSetId: string;
  domainNames: string[];
  primary: IssuerChoice;
  backup: IssuerChoice | null;
  isAutoRenew: boolean;
  /** Edit-as-new: the configuration this one replaces. */
  replacesConfigurationId: string | null;
  /** The certificate it starts from (the catalog's newest for the name set, or the edited configuration's). */
  certificate: CertificateFacts | null;
  createdAt: string;
}>;

/** Edit-as-new: the old configuration is deactivated and points at its successor. */
export type RenewalConfigurationReplaced = Event<'RenewalConfigurationReplaced', { configurationId: string; replacedByConfigurationId: string; replacedAt: string }>;
export type RenewalConfigurationActivated = Event<'RenewalConfigurationActivated', { configurationId: string; activatedAt: string }>;
export type RenewalConfigurationDeactivated = Event<'RenewalConfigurationDeactivated', { configurationId: string; deactivatedAt: string }>;

/** The claim: appended with the stream's expected revision, so of two runners only one gets it. */
export type RenewalAttemptStarted = Event<'RenewalAttemptStarted', {
  configurationId: string;
  attemptId: string;
  /** run | queue | manual */
  trigger: string;
  useBackup: boolean;
  issuer: IssuerChoice;
  startedAt: string;
}>;

export type RenewalAttemptSucceeded = Event<'RenewalAttemptSucceeded', {
  configurationId: string;
  attemptId: string;
  orderId: string;
  certificate: CertificateFacts;
  /** Lineage: the certificate this one replaces (null for the first). */
  replacesCertificateId: string | null;
  useBackup: boolean;
  succeededAt: string;
}>;

export type RenewalAttemptFailed = Event<'RenewalAttemptFailed', {
  configurationId: string;
  attemptId: string;
  orderId: string | null;
  useBackup: boolean;
  message: string;
  consecutiveFailures: number;
  primaryFailures: number;
  nextAttemptAt: string;
  failedAt: string;
}>;

/**
 * A certificate obtained outside a renewal attempt (a site deploy given one with the same names)
 * becomes the one this configuration renews next: due time and ARI follow it, lineage records it.
 */
export type RenewalConfigurationCertificateAdopted = Event<'RenewalConfigurationCertificateAdopted', {
  configurationId: string;
  certificate: CertificateFacts;
  replacesCertificateId: string | null;
  adoptedAt: string;
}>;

/** Renewal queue: `update` queues a due configuration once; processing ends it with the attempt's outcome. */
export type RenewalQueued = Event<'RenewalQueued', { configurationId: string; queueItemId: string; queuedAt: string }>;

export type RenewalConfigurationEvent =
  | RenewalConfigurationCreated
  | RenewalConfigurationReplaced
  | RenewalConfigurationActivated
  | RenewalConfigurationDeactivated
  | RenewalAttemptStarted
  | RenewalAttemptSucceeded
  | RenewalAttemptFailed
  | RenewalConfigurationCertificateAdopted
  | RenewalQueued;

export const renewalConfigurationStream = (configurationId: string): string => `renewalConfiguration-${configurationId}`;
