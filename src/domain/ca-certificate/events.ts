import type { Event } from '../shared/event.js';
import type { CertificateFacts } from '../shared/x509-facts.js';

/** How a CA certificate reached us: its own upload, inside a certificate's chain, or an AIA download. */
export type CaCertificateSource = 'upload' | 'certificate-upload' | 'aia';

/** The extensions chain building and reconciliation read; hex key ids in lower case. */
export type CaCertificateExtensions = {
  aiaCaIssuersUrls: string[];
  subjectKeyId: string | null;
  authorityKeyId: string | null;
};

/**
 * The fields after isSelfSigned came with issue 3 and are optional: events stored before carry
 * none of them (their CA certificates all came inside a certificate upload).
 */
export type CaCertificateImported = Event<'CaCertificateImported', CertificateFacts & {
  caCertificateId: string;
  isSelfSigned: boolean;
  importedAt: string;
  source?: CaCertificateSource;
  /** Only for source 'aia': where it was downloaded from. */
  sourceUrl?: string;
  aiaCaIssuersUrls?: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
}>;

export type CaCertificateIssuerReconciled = Event<'CaCertificateIssuerReconciled', {
  caCertificateId: string;
  issuerCaCertificateId: string;
  url: string;
  reconciledAt: string;
}>;

export type CaCertificateEvent = CaCertificateImported | CaCertificateIssuerReconciled;
