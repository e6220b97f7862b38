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

// ACME servers and accounts (migration 0004).
export interface AcmeServersTable {
  id: string;
  name: string;
  directory_url: string;
  ca_bundle_pem: string | null;
  /** Exactly one row is the default once any server is registered. */
  is_default: Generated<boolean>;
  directory: ColumnType<Record<string, unknown>, string | undefined, string>;
  directory_sha256: string | null;
  external_account_required: Generated<boolean>;
  terms_of_service: string | null;
  directory_fetched_at: Timestamp | null;
  /** Times the directory changed after the first fetch. */
  directory_changed_count: Generated<number>;
  last_failure: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  last_failure_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AcmeAccountsTable {
  id: string;
  acme_server_id: string;
  /** unregistered | valid | deactivated */
  status: string;
  account_url: string | null;
  contact: ColumnType<string[], string | undefined, string>;
  /** The key vault id of the current key; the key itself never leaves the vault. */
  key_id: string;
  key_technology: string;
  key_jwk_thumbprint: string;
  key_spki_sha256: string;
  key_source: string;
  retired_key_ids: ColumnType<string[], string | undefined, string>;
  key_rolled_over_at: Timestamp | null;
  order_default_private_key_technology: string;
  order_default_private_key_cycle: string;
  eab_key_id: string | null;
  created_at: Timestamp;
  registered_at: Timestamp | null;
  deactivated_at: Timestamp | null;
  last_check_result: string | null;
  last_checked_at: Timestamp | null;
  last_problem_operation: string | null;
  last_problem: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  last_problem_at: Timestamp | null;
  updated_at: Timestamp;
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
  acme_servers: AcmeServersTable;
  acme_accounts: AcmeAccountsTable;
}

export type { Generated };

// ACME orders, authorizations, challenges and rate limits (migration 0005). Merged into Database below.
type JsonColumn<T> = ColumnType<T, string | undefined, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface AcmeOrdersTable {
  id: string;
  acme_account_id: string;
  acme_server_id: string;
  /** created (not sent yet) | pending | ready | processing | valid | invalid (RFC 8555 §7.1.6) */
  status: string;
  /** none | all | step */
  processing: string;
  /** [{type, value, challenge_type}] as ordered */
  identifiers: JsonColumn<{ type: string; value: string; challenge_type: string }[]>;
  domain_names: JsonColumn<string[]>;
  unique_fqdn_set_id: string;
  /** As asked (may be account_default) and as applied at finalize. */
  key_policy: string;
  key_policy_final: string | null;
  key_technology: string;
  deactivate_on_failure: boolean;
  order_url: string | null;
  finalize_url: string | null;
  certificate_url: string | null;
  expires_at: Timestamp | null;
  /** The server's `error` on the order. */
  error: NullableJson<Record<string, unknown>>;
  /** Our last step that failed: {step, problem, message, at}. */
  last_failure: NullableJson<Record<string, unknown>>;
  private_key_id: string | null;
  csr_id: string | null;
  csr_pem: string | null;
  certificate_id: string | null;
  is_marked_invalid: Generated<boolean>;
  marked_invalid_reason: string | null;
  retry_of: string | null;
  retried_by: JsonColumn<string[]>;
  rate_limited_until: Timestamp | null;
  is_revoked: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: Timestamp | null;
  finalized_at: Timestamp | null;
  certificate_downloaded_at: Timestamp | null;
}

export interface AcmeAuthorizationsTable {
  id: string;
  url: string;
  /** The order that last reported it (a CA may reuse one authorization across orders). */
  acme_order_id: string;
  identifier_type: string;
  identifier_value: string;
  status: string;
  expires_at: Timestamp | null;
  is_wildcard: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AcmeOrderAuthorizationsTable {
  acme_order_id: string;
  acme_authorization_id: string;
}

export interface AcmeChallengesTable {
  id: string;
  url: string;
  acme_authorization_id: string;
  acme_order_id: string;
  type: string;
  token: string;
  /** The identifier it proves. */
  domain: string;
  status: string;
  /** Set once prepared; the public app serves it for http-01 while the challenge is pending or processing. */
  key_authorization: string | null;
  error: NullableJson<Record<string, unknown>>;
  validated_at: Timestamp | null;
  triggered_at: Timestamp | null;
  poll_count: Generated<number>;
  last_polled_at: Timestamp | null;
  last_poll_remote_address: string | null;
  dns_provider: string | null;
  dns_record_name: string | null;
  dns_value: string | null;
  /** set | removed */
  dns_record_state: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Global position of the last event applied: counters move once per event, even on a replay. */
  last_position: Int8;
}

export interface AcmeRateLimitsTable {
  id: string;
  acme_server_id: string;
  acme_account_id: string;
  unique_fqdn_set_id: string;
  acme_order_id: string;
  step: string;
  not_before: Timestamp;
  problem: NullableJson<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface Database {
  acme_orders: AcmeOrdersTable;
  acme_authorizations: AcmeAuthorizationsTable;
  acme_order_authorizations: AcmeOrderAuthorizationsTable;
  acme_challenges: AcmeChallengesTable;
  acme_rate_limits: AcmeRateLimitsTable;
}

// Renewal configurations, system policies, certificate lineage, renewal queue (migration 0006). Merged into Database below.
export interface RenewalConfigurationsTable {
  id: string;
  acme_account_id: string;
  unique_fqdn_set_id: string;
  domain_names: JsonColumn<string[]>;
  /** [{type, value, challenge_type}] */
  identifiers: JsonColumn<{ type: string; value: string; challenge_type: string }[]>;
  key_technology: string;
  key_policy: string;
  acme_profile: string | null;
  is_auto_renew: boolean;
  is_active: boolean;
  backup_acme_account_id: string | null;
  backup_key_technology: string | null;
  backup_key_policy: string | null;
  backup_acme_profile: string | null;
  /** Edit-as-new: the configuration this one was edited from, and the one it was edited into. */
  replaces_configuration_id: string | null;
  replaced_by_configuration_id: string | null;
  latest_certificate_id: string | null;
  latest_not_before: Timestamp | null;
  latest_not_after: Timestamp | null;
  /** When the lifetime rule says renew (due.ts); null = no certificate yet, due now. */
  renew_at: Timestamp | null;
  /** Backoff after failures; null = no backoff. */
  next_attempt_at: Timestamp | null;
  primary_failures: Generated<number>;
  consecutive_failures: Generated<number>;
  /** The attempt that holds the claim, if one is running. */
  attempt_id: string | null;
  attempt_started_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_failure: NullableJson<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SystemPoliciesTable {
  /** global | autocert | certificate-if-needed */
  name: string;
  acme_account_id: string;
  key_technology: string;
  key_policy: string;
  acme_profile: string | null;
  backup_acme_account_id: string | null;
  backup_key_technology: string | null;
  backup_key_policy: string | null;
  backup_acme_profile: string | null;
  updated_at: Timestamp;
}

export interface CertificateLineageTable {
  certificate_id: string;
  replaces_certificate_id: string | null;
  replaced_by_certificate_id: string | null;
  renewal_configuration_id: string | null;
  acme_order_id: string | null;
  updated_at: Timestamp;
}

export interface RenewalQueueTable {
  id: string;
  renewal_configuration_id: string;
  /** queued | processed | failed | cancelled */
  status: string;
  queued_at: Timestamp;
  processed_at: Timestamp | null;
  acme_order_id: string | null;
  certificate_id: string | null;
  failure: string | null;
}

export interface Database {
  renewal_configurations: RenewalConfigurationsTable;
  system_policies: SystemPoliciesTable;
  certificate_lineage: CertificateLineageTable;
  renewal_queue: RenewalQueueTable;
}

// RFC 9773 renewal information per certificate (migration 0007). Merged into Database below.
export interface AriRenewalInfoTable {
  certificate_id: string;
  acme_server_id: string;
  /** RFC 9773 §4.1, as sent in renewalInfo URLs and newOrder's `replaces`. */
  ari_identifier: string;
  window_start: Timestamp | null;
  window_end: Timestamp | null;
  /** Drawn at random inside the window; the renewal run's due time for this certificate. */
  chosen_renewal_time: Timestamp | null;
  explanation_url: string | null;
  next_poll_at: Timestamp;
  /** Seconds, as the CA last sent it. */
  last_retry_after: number | null;
  consecutive_failures: Generated<number>;
  last_failure: NullableJson<Record<string, unknown>>;
  fetched_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface Database {
  ari_renewal_info: AriRenewalInfoTable;
}

// The audit projection (migration 0009): an index of the event log and what each event touched.
export interface AuditEventsTable {
  position: Int8;
  event_id: string;
  stream_name: string;
  stream_revision: Int8;
  event_type: string;
  created_at: Timestamp;
}

export interface AuditRefsTable {
  /** `domain` (a lower-case name) or `order` (an ACME order id). */
  ref_kind: string;
  ref: string;
  position: Int8;
}

export interface AuditSubjectsTable {
  /** `certificate:<id>`, `order:<id>`, `fqdnSet:<id>`, `renewal:<id>` or `privateKey:<id>`. */
  subject: string;
  domain_names: ColumnType<string[], string | undefined, string>;
  order_id: string | null;
}

export interface Database {
  audit_events: AuditEventsTable;
  audit_refs: AuditRefsTable;
  audit_subjects: AuditSubjectsTable;
}

// Running rebuilds beside the live tables (migration 0010): one row per projection being rebuilt.
export interface ProjectionRebuildsTable {
  name: string;
  run_id: string;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
}

export interface Database {
  projection_rebuilds: ProjectionRebuildsTable;
}

// The sites projection (migration 0011): what each site wants and serves, and its stashed certificates.
export interface SitesTable {
  site_id: string;
  /** `deployed` or `undeployed`. */
  status: string;
  host_names: ColumnType<string[], string, string>;
  /** `{kind: none|acme}` or `{kind: own, certificateId}`. */
  wish: ColumnType<{ kind: string; certificateId?: string }, string, string>;
  /** `nothing`, `none`, `own` or `acme`. */
  current_kind: string;
  current_certificate_id: string | null;
  current_not_after: Timestamp | null;
  stash: ColumnType<{ certificateId: string; notAfter: string }[], string, string>;
  pending_attempt_id: string | null;
  pending_started_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface SiteCertificatesTable {
  site_id: string;
  certificate_id: string;
  /** `current` or `stashed`. */
  role: string;
  not_after: Timestamp | null;
}

export interface Database {
  sites: SitesTable;
  site_certificates: SiteCertificatesTable;
}
