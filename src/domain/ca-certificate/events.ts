import type { Event } from '../shared/event.js';
import type { CertificateFacts } from '../shared/x509-facts.js';

export type CaCertificateImported = Event<'CaCertificateImported', CertificateFacts & {
  caCertificateId: string;
  isSelfSigned: boolean;
  importedAt: string;
}>;

export type CaCertificateEvent = CaCertificateImported;
