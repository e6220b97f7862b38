export type ImportCaChain = {
  type: 'ImportCaChain';
  caChainId: string;
  /** Issuer of the leaf first. */
  caCertificateIds: string[];
  now: string;
};

export type CaChainCommand = ImportCaChain;
