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

export type CertificateEvent = CertificateImported | CertificateChainLinked;
