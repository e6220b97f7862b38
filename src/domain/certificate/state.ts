export type CertificateState =
  | { status: 'absent' }
  | {
    status: 'imported';
    certificateId: string;
    privateKeyId: string;
    caChainIds: string[];
    defaultCaChainId: string | null;
    /** ISO-8601 UTC */
    notAfter: string;
    isActive: boolean;
    isRevoked: boolean;
  };

export type ImportedCertificate = Extract<CertificateState, { status: 'imported' }>;
