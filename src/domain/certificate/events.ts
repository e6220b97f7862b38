import type { Event } from '../shared/event.js';
import type { CertificateFacts, KeyTechnology } from '../shared/x509-facts.js';

export type CertificateImported = Event<'CertificateImported', CertificateFacts & {
  certificateId: string;
  /** Lower-case A-labels, sorted, de-duplicated. */
  domainNames: string[];
  uniqueFqdnSetId: string;
  privateKeyId: string;
  keyTechnology: KeyTechnology;
  /** Already past notAfter when imported: kept for the record, never served. */
  isExpired: boolean;
  importedAt: string;
}>;

export type CertificateChainLinked = Event<'CertificateChainLinked', {
  certificateId: string;
  caChainId: string;
  /** The chain the CA (or the uploader) gave first. */
  isDefault: boolean;
  linkedAt: string;
}>;

/** The actor is kept in the data too (not only in metadata): it is what an audit of marks reads. */
type Mark = { certificateId: string; reason: string; actor: string };

export type CertificateDeactivated = Event<'CertificateDeactivated', Mark & {
  /** `manual`: an operator; `expired`: the expiry sweep (reason `expired`). */
  cause: 'manual' | 'expired';
  /** Domains whose latest single/multi it was when deactivated: they fall back to their next best. */
  latestForDomainIds: string[];
  deactivatedAt: string;
}>;

export type CertificateActivated = Event<'CertificateActivated', Mark & {
  activatedAt: string;
}>;

/** Permanent, and deactivates the certificate in the same fact. */
export type CertificateRevocationMarked = Event<'CertificateRevocationMarked', Mark & {
  latestForDomainIds: string[];
  markedAt: string;
}>;

export type CertificateEvent =
  | CertificateImported
  | CertificateChainLinked
  | CertificateDeactivated
  | CertificateActivated
  | CertificateRevocationMarked;
