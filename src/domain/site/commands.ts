import type { CertificateRef, TlsWish } from './state.js';

/** Deploy, redeploy and restore share one shape; the operation is recorded with the event. */
type Deployment = {
  siteId: string;
  hostNames: string[];
  wish: TlsWish;
  /** A certificate the caller already imported (a restore's transferred one, or an upload). */
  given: CertificateRef | null;
  /** Used only if the plan obtains a certificate now; ids are passed in. */
  issueAttemptId: string;
  now: string;
};

export type DeploySite = Deployment & { type: 'DeploySite' };
/** Refused for a site that was never deployed. */
export type RedeploySite = Deployment & { type: 'RedeploySite' };
export type RestoreSite = Deployment & { type: 'RestoreSite' };

export type UndeploySite = { type: 'UndeploySite'; now: string };
/** Decides nothing about TLS; records that a description was exported. */
export type BackUpSite = { type: 'BackUpSite'; now: string };
/** Internal: bring one stashed certificate back (an expired one is discarded instead). */
export type UnstashSiteCertificate = { type: 'UnstashSiteCertificate'; certificateId: string; now: string };

/** Outcomes of the synchronous ACME order the command layer ran after SiteAcmeIssueStarted. */
export type RecordSiteCertificateIssued = { type: 'RecordSiteCertificateIssued'; attemptId: string; certificate: CertificateRef; now: string };
export type RecordSiteCertificateIssueFailed = { type: 'RecordSiteCertificateIssueFailed'; attemptId: string; message: string; now: string };

/**
 * The renewal run renewed the configuration of the site's certificate `replacesCertificateId`
 * (the command layer finds it by the configuration's names). Ignored if the site no longer has it,
 * or if the new certificate would end sooner.
 */
export type RecordSiteCertificateRenewed = { type: 'RecordSiteCertificateRenewed'; replacesCertificateId: string; certificate: CertificateRef; now: string };

export type SiteCommand =
  | DeploySite
  | RedeploySite
  | RestoreSite
  | UndeploySite
  | BackUpSite
  | UnstashSiteCertificate
  | RecordSiteCertificateIssued
  | RecordSiteCertificateIssueFailed
  | RecordSiteCertificateRenewed;
