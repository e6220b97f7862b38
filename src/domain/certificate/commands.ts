import type { CertificateFacts, KeyTechnology } from '../shared/x509-facts.js';
import type { LifecycleMark } from './lifecycle-mark.js';

export type ImportCertificate = {
  type: 'ImportCertificate';
  certificateId: string;
  facts: CertificateFacts;
  domainNames: string[];
  uniqueFqdnSetId: string;
  privateKeyId: string;
  keyTechnology: KeyTechnology;
  isExpired: boolean;
  /** Chains that sign it; the first is the default one. */
  caChainIds: string[];
  now: string;
};

/**
 * Read-model fact the handler passes in (deciders do no I/O): the domains whose latest single or
 * multi certificate this one is right now.
 */
type ServedDomains = { latestForDomainIds: string[] };

/** An operator's explicit deactivation: it wins over the seed rule (the event records who loses it). */
export type DeactivateCertificate = LifecycleMark & ServedDomains & {
  type: 'DeactivateCertificate';
  certificateId: string;
};

/** The expiry sweep: only past notAfter, and never while it is still some domain's latest (seed rule). */
export type DeactivateExpiredCertificate = ServedDomains & {
  type: 'DeactivateExpiredCertificate';
  certificateId: string;
  actor: string;
  now: string;
};

export type ActivateCertificate = LifecycleMark & {
  type: 'ActivateCertificate';
  certificateId: string;
};

/** Permanent: a revoked certificate is inactive for good. */
export type MarkCertificateRevoked = LifecycleMark & ServedDomains & {
  type: 'MarkCertificateRevoked';
  certificateId: string;
};

export type CertificateCommand =
  | ImportCertificate
  | DeactivateCertificate
  | DeactivateExpiredCertificate
  | ActivateCertificate
  | MarkCertificateRevoked;
