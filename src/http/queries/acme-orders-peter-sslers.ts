/**
 * Orders, authorizations, challenges and certificate requests as peter_sslers' `as_json`
 * (model/objects.py) names them; ids are strings, times ISO-8601. Members certledger has no
 * notion of (renewal configurations, notes, profiles) are null.
 */
import type { AuthorizationRow, ChallengeRow, OrderRow } from './acme-orders.js';
import { iso, isoOrNull } from './lists.js';

const STRATEGIES: Record<string, string> = { none: 'create_order', all: 'process_single', step: 'process_multi' };

const isOver = (row: OrderRow) => row.is_marked_invalid || row.status === 'invalid';

/** AcmeOrder_ProcessingStatus, from the order's state. */
function processingStatus(row: OrderRow, challengesTriggered: boolean): string {
  if (isOver(row)) return 'processing_completed_failure';
  switch (row.status) {
    case 'created': return 'created_local';
    case 'pending': return challengesTriggered ? 'processing_started' : 'created_acme';
    case 'ready': return 'processing_started';
    case 'processing': return 'order_finalized';
    case 'valid': return row.certificate_id ? 'certificate_downloaded' : 'order_finalized';
    default: return 'processing_started';
  }
}

export function compatOrderJson(row: OrderRow, admin: string, authorizationIds: string[] = [], challengesTriggered = false) {
  const over = isOver(row);
  const active = !over && !(row.status === 'valid' && row.certificate_id);
  const canSync = row.order_url !== null;
  const identifiers = row.identifiers;
  const byType = (type: string) => {
    const names = identifiers.filter((i) => i.challenge_type === type).map((i) => i.value);
    return names.length > 0 ? names : null;
  };
  return {
    id: row.id,
    AcmeAccount: { id: row.acme_account_id },
    PrivateKey: { id: row.private_key_id },
    acme_authorization_ids: authorizationIds,
    acme_status_order: row.is_marked_invalid ? 'invalid' : row.status === 'created' ? '*discovered*' : row.status,
    acme_order_type: row.retry_of ? 'retry' : 'freeform',
    acme_order_processing_status: processingStatus(row, challengesTriggered),
    acme_order_processing_strategy: STRATEGIES[row.processing] ?? row.processing,
    certificate_request_id: row.csr_id,
    certificate_signed_id: row.certificate_id,
    domains_as_list: row.domain_names,
    domains_challenged: { 'http-01': byType('http-01'), 'dns-01': byType('dns-01') },
    finalize_url: row.finalize_url,
    certificate_url: row.certificate_url,
    is_processing: active,
    is_can_acme_process: active,
    is_can_mark_invalid: !over && row.status !== 'valid',
    is_can_retry: over,
    is_can_acme_server_deactivate_authorizations: !over && row.status === 'pending',
    note: null,
    order_url: row.order_url,
    private_key_cycle: row.key_policy,
    private_key_strategy__requested: row.key_policy,
    private_key_strategy__final: row.key_policy_final,
    private_key_technology: row.key_technology,
    profile: null,
    timestamp_created: iso(row.created_at),
    timestamp_expires: isoOrNull(row.expires_at),
    timestamp_finalized: isoOrNull(row.finalized_at),
    timestamp_updated: iso(row.updated_at),
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    retry_of: row.retry_of,
    url_acme_server_sync: canSync ? `${admin}/acme-order/${row.id}/acme-server/sync.json` : null,
    url_acme_certificate_signed_download: row.status === 'valid' ? `${admin}/acme-order/${row.id}/acme-server/download-certificate.json` : null,
    url_acme_process: active ? `${admin}/acme-order/${row.id}/acme-process.json` : null,
    url_deactivate: active ? `${admin}/acme-order/${row.id}/mark.json` : null,
    url_deactivate_authorizations: !over && row.status === 'pending' ? `${admin}/acme-order/${row.id}/acme-server/deactivate-authorizations.json` : null,
  };
}

export function compatChallengeJson(row: ChallengeRow, admin: string) {
  return {
    id: row.id,
    acme_authorization_id: row.acme_authorization_id,
    acme_challenge_type: row.type,
    acme_status_challenge: row.status,
    challenge_url: row.url,
    domain: { domain_name: row.domain },
    keyauthorization: row.key_authorization,
    token: row.token,
    timestamp_created: iso(row.created_at),
    timestamp_updated: iso(row.updated_at),
    url_acme_server_sync: `${admin}/acme-challenge/${row.id}/acme-server/sync.json`,
    url_acme_server_trigger: row.status === 'pending' ? `${admin}/acme-challenge/${row.id}/acme-server/trigger.json` : null,
  };
}

export function compatAuthorizationJson(row: AuthorizationRow, challenges: ChallengeRow[], admin: string) {
  const own = challenges.filter((c) => c.acme_authorization_id === row.id);
  const of = (type: string) => own.find((c) => c.type === type)?.id ?? null;
  return {
    id: row.id,
    acme_status_authorization: row.status,
    authorization_url: row.url,
    domain: { domain_name: row.is_wildcard ? `*.${row.identifier_value}` : row.identifier_value },
    identifier_type: row.identifier_type,
    acme_challenge_http_01_id: of('http-01'),
    acme_challenge_dns_01_id: of('dns-01'),
    acme_challenge_tls_alpn_01_id: of('tls-alpn-01'),
    acme_order_id__created: row.acme_order_id,
    timestamp_created: iso(row.created_at),
    timestamp_expires: isoOrNull(row.expires_at),
    timestamp_updated: iso(row.updated_at),
    url_acme_server_sync: `${admin}/acme-authorization/${row.id}/acme-server/sync.json`,
    url_acme_server_deactivate: row.status === 'pending' || row.status === 'valid' ? `${admin}/acme-authorization/${row.id}/acme-server/deactivate.json` : null,
  };
}

type CsrRow = { id: string; csr_id: string | null; csr_pem: string | null; private_key_id: string | null; unique_fqdn_set_id: string; domain_names: string[]; finalized_at: Date | null };

export function compatCsrJson(row: CsrRow) {
  return {
    id: row.csr_id,
    csr_pem: row.csr_pem,
    domains_as_list: row.domain_names,
    private_key_id: row.private_key_id,
    unique_fqdn_set_id: row.unique_fqdn_set_id,
    acme_order_id: row.id,
    certificate_request_source: 'acme_order',
    timestamp_created: isoOrNull(row.finalized_at),
  };
}
