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
}

export interface CertificateChainsTable {
  certificate_id: string;
  ca_chain_id: string;
  is_default: boolean;
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
}

export type { Generated };
