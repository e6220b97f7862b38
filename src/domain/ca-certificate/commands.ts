import type { CertificateFacts } from '../shared/x509-facts.js';

export type ImportCaCertificate = {
  type: 'ImportCaCertificate';
  caCertificateId: string;
  facts: CertificateFacts;
  isSelfSigned: boolean;
  now: string;
};

export type CaCertificateCommand = ImportCaCertificate;
