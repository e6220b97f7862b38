/** Stream names are `category-id`; built only here. */
export const streams = {
  certificate: (certificateId: string) => `certificate-${certificateId}`,
  privateKey: (privateKeyId: string) => `privateKey-${privateKeyId}`,
  caCertificate: (caCertificateId: string) => `caCertificate-${caCertificateId}`,
  caChain: (caChainId: string) => `caChain-${caChainId}`,
} as const;

export type StreamCategory = keyof typeof streams;

export const streamCategory = (streamName: string): string => streamName.slice(0, streamName.indexOf('-'));
