/** Stream names are `category-id`; built only here. */
export const streams = {
  certificate: (certificateId: string) => `certificate-${certificateId}`,
  privateKey: (privateKeyId: string) => `privateKey-${privateKeyId}`,
  caCertificate: (caCertificateId: string) => `caCertificate-${caCertificateId}`,
  caChain: (caChainId: string) => `caChain-${caChainId}`,
  domain: (domainId: string) => `domain-${domainId}`,
  chainPreference: (policyId: string) => `chainPreference-${policyId}`,
} as const;

export type StreamCategory = keyof typeof streams;

export const streamCategory = (streamName: string): string => streamName.slice(0, streamName.indexOf('-'));

/** The chain preference policy is global: one stream, `chainPreference-global`. */
export const CHAIN_PREFERENCE_POLICY_ID = 'global';
