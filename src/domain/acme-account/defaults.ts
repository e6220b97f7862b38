/** What an account's key can be (RFC 8555 §6.2 asks servers for RS256 and ES256; ES384 is common). */
export const ACCOUNT_KEY_TECHNOLOGIES = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384'] as const;
export type AccountKeyTechnology = (typeof ACCOUNT_KEY_TECHNOLOGIES)[number];

/** The certificate key technologies an account gives its orders by default. */
export const ORDER_KEY_TECHNOLOGIES = ACCOUNT_KEY_TECHNOLOGIES;
export type OrderKeyTechnology = AccountKeyTechnology;

/**
 * peter_sslers' private key cycles: which key an order's CSR uses. `account_default` is what an
 * order names to mean "the account's default", so it cannot be that default itself.
 */
export const PRIVATE_KEY_CYCLES = [
  'single_use',
  'single_use__reuse_1_year',
  'account_daily',
  'account_weekly',
  'global_daily',
  'global_weekly',
  'account_default',
] as const;
export type PrivateKeyCycle = (typeof PRIVATE_KEY_CYCLES)[number];
export const ACCOUNT_DEFAULT_KEY_CYCLES = PRIVATE_KEY_CYCLES.filter((cycle) => cycle !== 'account_default');
export type AccountDefaultKeyCycle = Exclude<PrivateKeyCycle, 'account_default'>;

export type AcmeAccountOrderDefaults = {
  privateKeyTechnology: OrderKeyTechnology;
  privateKeyCycle: AccountDefaultKeyCycle;
};

export const DEFAULT_ORDER_DEFAULTS: AcmeAccountOrderDefaults = { privateKeyTechnology: 'EC_P256', privateKeyCycle: 'single_use' };

/** Public facts of an account key; the key itself is in the key vault under `keyId`. */
export type AcmeAccountKeyFacts = {
  keyId: string;
  keyTechnology: AccountKeyTechnology;
  /** RFC 7638 SHA-256 thumbprint, base64url: also the account part of every key authorization. */
  jwkThumbprint: string;
  spkiSha256: string;
  source: 'generated' | 'uploaded_pem' | 'uploaded_certbot';
};
