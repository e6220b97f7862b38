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

/** ACME servers and accounts (issue 4). */
export const acmeStreams = {
  acmeServer: (acmeServerId: string) => `acmeServer-${acmeServerId}`,
  /** The one default ACME server: a single stream, so "exactly one default" holds under concurrency. */
  acmeServerDefault: () => 'acmeServerDefault-global',
  acmeAccount: (acmeAccountId: string) => `acmeAccount-${acmeAccountId}`,
  /** Who holds an account key: one stream per key, so one key never serves two accounts. */
  acmeAccountKey: (keyId: string) => `acmeAccountKey-${keyId}`,
} as const;

/** ACME orders (issue 4): orders, key cycling slots, revocations of certificates no order of ours issued. */
export const acmeOrderStreams = {
  acmeOrder: (orderId: string) => `acmeOrder-${orderId}`,
  /** One private key cycling slot (key-cycle.ts): the key its orders share. */
  keyCycle: (slotId: string) => `keyCycle-${slotId}`,
  acmeRevocation: (certificateId: string) => `acmeRevocation-${certificateId}`,
} as const;

/** nginx cache control (issue 6): one stream of flush/expire outcomes, appended with expectedRevision 'any'. */
export const nginxCacheStreams = {
  nginxCache: () => 'nginxCache-global',
} as const;

/** Full primes of the Redis prime on demand: an outcome log, appended with expectedRevision 'any'. */
export const redisPrimeStreams = {
  redisPrime: () => 'redisPrime-global',
} as const;

/** Sites (issue 8): one stream per site, holding its wish, what it serves and its stash. */
export const siteStreams = {
  site: (siteId: string) => `site-${siteId}`,
} as const;

/** Expiry alerts (issue 10): one stream per certificate, each level raised once. */
export const expiryAlertStreams = {
  expiryAlert: (certificateId: string) => `expiryAlert-${certificateId}`,
} as const;
