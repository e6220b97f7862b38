/** JSON answers of autocert, certificate-if-needed and the domain queue, native and peter_sslers. */
import type { AutocertResult } from '../../commands/autocert/autocert.js';
import type { DomainResult } from '../../commands/autocert/certificate-if-needed.js';
import type { ProcessedBatch } from '../../commands/domain-queue/process-queue.js';
import { domainPayload, type DomainPayload, type QueryDeps } from './config-payload.js';

/** config.json's domain payload with the older x509_certificate__* names lua clients still read. */
export const withAliases = (payload: DomainPayload) => ({
  ...payload,
  x509_certificate__latest_single: payload.certificate_signed__latest_single,
  x509_certificate__latest_multi: payload.certificate_signed__latest_multi,
});

const NOTES = { existing: 'existing certificate(s)', issued: 'new AcmeOrder, valid', failed: 'new AcmeOrder, invalid' } as const;

/** peter_sslers' autocert answer: success with the payload, or error with empty certificates. */
export async function compatAutocertJson(deps: QueryDeps, result: AutocertResult) {
  if (result.outcome === 'failed') {
    return {
      result: 'error', notes: NOTES.failed, error: result.reason, retry_not_before: result.retryNotBefore,
      domain: null, certificate_signed__latest_single: null, certificate_signed__latest_multi: null,
      ...(result.orderId ? { AcmeOrder: { id: result.orderId } } : {}),
    };
  }
  const payload = await domainPayload(deps, result.domainName, false);
  return {
    result: 'success',
    notes: NOTES[result.outcome],
    ...(payload ? withAliases(payload) : { domain: null, certificate_signed__latest_single: null, certificate_signed__latest_multi: null }),
    ...(result.outcome === 'issued' ? { AcmeOrder: { id: result.orderId } } : {}),
  };
}

export async function autocertJson(deps: QueryDeps, result: AutocertResult) {
  const base = { outcome: result.outcome, domain_name: result.domainName };
  if (result.outcome === 'failed') {
    return { result: 'error', ...base, order_id: result.orderId, reason: result.reason, retry_not_before: result.retryNotBefore, joined: result.joined };
  }
  const payload = await domainPayload(deps, result.domainName, false);
  return {
    result: 'success', ...base,
    order_id: result.outcome === 'issued' ? result.orderId : null,
    certificate_id: result.outcome === 'issued' ? result.certificateId : null,
    joined: result.outcome === 'issued' ? result.joined : false,
    renewal_configuration_id: result.outcome === 'issued' ? result.renewalConfigurationId : null,
    config: payload,
  };
}

/** peter_sslers' per-domain keys. */
export const compatDomainResults = (results: DomainResult[]) => Object.fromEntries(results.map((r) => [r.domainName, {
  'domain.status': r.domainStatus,
  'domain.id': r.domainId,
  'certificate_signed.status': r.certificateStatus,
  'certificate_signed.id': r.certificateId,
  'acme_order.id': r.orderId,
}]));

export const domainResultsJson = (results: DomainResult[]) => results.map((r) => ({
  domain_name: r.domainName,
  domain_status: r.domainStatus,
  domain_id: r.domainId,
  certificate_status: r.certificateStatus,
  certificate_id: r.certificateId,
  order_id: r.orderId,
  renewal_configuration_id: r.renewalConfigurationId,
  reason: r.reason,
}));

export const batchJson = (batch: ProcessedBatch) => ({
  batch_id: batch.batchId,
  domain_names: batch.domainNames,
  order_id: batch.orderId,
  certificate_id: batch.certificateId,
  ok: batch.ok,
  renewal_configuration_id: batch.renewalConfigurationId,
  reason: batch.reason,
});
