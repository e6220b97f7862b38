import type { IssuerChoice } from '../system-policy/policy.js';
import type { CertificateFacts, RenewalIdentifier } from './events.js';

export type CreateRenewalConfiguration = {
  type: 'CreateRenewalConfiguration';
  configurationId: string;
  identifiers: RenewalIdentifier[];
  uniqueFqdnSetId: string;
  domainNames: string[];
  primary: IssuerChoice;
  backup: IssuerChoice | null;
  isAutoRenew: boolean;
  replacesConfigurationId: string | null;
  certificate: CertificateFacts | null;
  /** Looked up by the handler: accounts that do not exist or are deactivated, with the reason. */
  unusableAccounts: Readonly<Record<string, string>>;
  now: string;
};

export type ReplaceRenewalConfiguration = { type: 'ReplaceRenewalConfiguration'; replacedByConfigurationId: string; now: string };
export type ActivateRenewalConfiguration = { type: 'ActivateRenewalConfiguration'; now: string };
export type DeactivateRenewalConfiguration = { type: 'DeactivateRenewalConfiguration'; now: string };

/** The ARI chosen time the handler found for a certificate (RFC 9773); used only if it is the current one. */
export type AriChoice = { certificateId: string; chosenRenewalTime: string } | null;

export type StartRenewalAttempt = {
  type: 'StartRenewalAttempt';
  attemptId: string;
  /** manual ignores due time and backoff; run and queue honour both. */
  trigger: 'run' | 'queue' | 'manual';
  ari: AriChoice;
  /** An attempt started before this is presumed dead (its runner crashed) and may be taken over. */
  staleBefore: string;
  now: string;
};

export type FinishRenewalAttempt =
  | { type: 'RecordRenewalSuccess'; attemptId: string; orderId: string; certificate: CertificateFacts; now: string }
  | { type: 'RecordRenewalFailure'; attemptId: string; orderId: string | null; message: string; now: string };

/**
 * Track a certificate the configuration did not order itself. Ignored while an attempt runs (its
 * result wins) and for one that ends no later than the tracked one.
 */
export type AdoptRenewalCertificate = { type: 'AdoptRenewalCertificate'; certificate: CertificateFacts; now: string };

export type QueueRenewal = { type: 'QueueRenewal'; queueItemId: string; ari: AriChoice; now: string };

export type RenewalConfigurationCommand =
  | CreateRenewalConfiguration
  | ReplaceRenewalConfiguration
  | ActivateRenewalConfiguration
  | DeactivateRenewalConfiguration
  | StartRenewalAttempt
  | FinishRenewalAttempt
  | AdoptRenewalCertificate
  | QueueRenewal;
