import type { ColumnType, Generated } from 'kysely';

/** int8 columns come back as bigint from both pg and PGlite (see kysely.ts). */
type Int8 = ColumnType<bigint, bigint | number | string, bigint | number | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** jsonb: written as a JSON string, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface EventsTable {
  global_position: ColumnType<bigint, never, never>;
  event_id: string;
  stream_name: string;
  stream_revision: Int8;
  event_type: string;
  data: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  version: number;
  position: Int8;
  updated_at: Timestamp;
}

export interface KeyVaultTable {
  private_key_id: string;
  /** Data key wrapped (AES-256-GCM) under the master key; null once shredded. */
  wrapped_data_key: Buffer | null;
  /** PKCS#8 DER encrypted (AES-256-GCM) under the data key: iv(12) ‖ tag(16) ‖ ciphertext. */
  ciphertext: Buffer;
  master_key_id: string;
  created_at: Timestamp;
  shredded_at: Timestamp | null;
}

export interface PrivateKeysTable {
  id: string;
  key_technology: string;
  spki_sha256: string;
  source: string;
  created_at: Timestamp;
  is_compromised: Generated<boolean>;
  compromised_reason: string | null;
  compromised_at: Timestamp | null;
}

export interface CaCertificatesTable {
  id: string;
  pem: string;
  fingerprint_sha1: string;
  fingerprint_sha256: string;
  spki_sha256: string;
  serial: string;
  subject: string;
  issuer: string;
  not_before: Timestamp;
  not_after: Timestamp;
  is_self_signed: boolean;
  created_at: Timestamp;
  /** upload | certificate-upload | aia */
  source: Generated<string>;
  /** Where an AIA-reconciled certificate was downloaded from. */
  source_url: string | null;
  aia_ca_issuers_urls: ColumnType<string[], string | undefined, string>;
  /** The CA certificate that signs this one, once known. */
  issuer_ca_certificate_id: string | null;
  subject_key_id: string | null;
  authority_key_id: string | null;
}

export interface ChainPreferencesTable {
  position: number;
  fingerprint_sha1: string;
}

export interface CaChainsTable {
  id: string;
  /** Issuer of the leaf first. */
  ca_certificate_ids: Json<string[]>;
  pem: string;
  created_at: Timestamp;
}

export interface CertificatesTable {
  id: string;
  pem: string;
  fingerprint_sha1: string;
  fingerprint_sha256: string;
  spki_sha256: string;
  serial: string;
  subject: string;
  issuer: string;
  not_before: Timestamp;
  not_after: Timestamp;
  key_technology: string;
  private_key_id: string;
  unique_fqdn_set_id: string;
  domain_count: number;
  is_active: boolean;
  is_expired: boolean;
  created_at: Timestamp;
  /** Permanent: a revoked certificate is never activated again. */
  is_revoked: Generated<boolean>;
  deactivation_reason: string | null;
  status_changed_at: Timestamp | null;
}

export interface CertificateChainsTable {
  certificate_id: string;
  ca_chain_id: string;
  /** The chain the CA (or uploader) gave first. */
  is_default: boolean;
  /** The chain served: the preference policy's pick, else the default. Exactly one per certificate. */
  is_selected: Generated<boolean>;
  created_at: Timestamp;
}

export interface UniqueFqdnSetsTable {
  id: string;
  domain_names: Json<string[]>;
  domain_count: number;
  created_at: Timestamp;
}

export interface UniqueFqdnSetDomainsTable {
  unique_fqdn_set_id: string;
  domain_id: string;
}

export interface DomainsTable {
  id: string;
  domain_name: string;
  certificate_latest_single_id: string | null;
  certificate_latest_multi_id: string | null;
  created_at: Timestamp;
  is_active: Generated<boolean>;
}

export interface Database {
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  key_vault: KeyVaultTable;
  private_keys: PrivateKeysTable;
  ca_certificates: CaCertificatesTable;
  ca_chains: CaChainsTable;
  certificates: CertificatesTable;
  certificate_chains: CertificateChainsTable;
  unique_fqdn_sets: UniqueFqdnSetsTable;
  unique_fqdn_set_domains: UniqueFqdnSetDomainsTable;
  domains: DomainsTable;
  chain_preferences: ChainPreferencesTable;
}

export type { Generated };
