import type { CertificateFacts } from '../shared/x509-facts.js';
import type { CaCertificateExtensions, CaCertificateSource } from './events.js';

export type ImportCaCertificate = {
  type: 'ImportCaCertificate';
  caCertificateId: string;
  facts: CertificateFacts;
  isSelfSigned: boolean;
  /** Left out by callers older than the AIA work; the event then carries none. */
  source?: CaCertificateSource;
  sourceUrl?: string;
  extensions?: CaCertificateExtensions;
  now: string;
};

/** Record that `issuerCaCertificateId` (verified by the caller) signs this CA certificate. */
export type ReconcileCaCertificateIssuer = {
  type: 'ReconcileCaCertificateIssuer';
  caCertificateId: string;
  issuerCaCertificateId: string;
  /** The AIA "CA Issuers" URI the issuer was downloaded from. */
  url: string;
  now: string;
};

export type CaCertificateCommand = ImportCaCertificate | ReconcileCaCertificateIssuer;
