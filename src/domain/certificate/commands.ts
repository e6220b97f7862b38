import type { CertificateFacts, KeyTechnology } from '../shared/x509-facts.js';

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

export type CertificateCommand = ImportCertificate;
