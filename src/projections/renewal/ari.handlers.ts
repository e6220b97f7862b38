import type { AriRenewalInfoFetched, AriRenewalInfoFetchFailed } from '../../domain/ari/events.js';
import type { CatalogHandlers } from '../catalog/handler.js';

/**
 * RFC 9773 renewal information, one row per certificate. Each event carries the whole state the
 * row needs, so applying one twice writes the same values (idempotent).
 */
export const ariHandlers: CatalogHandlers = {
  async AriRenewalInfoFetched(trx, event) {
    const data = event.data as AriRenewalInfoFetched['data'];
    const row = {
      acme_server_id: data.acmeServerId,
      ari_identifier: data.ariIdentifier,
      window_start: data.suggestedWindow.start,
      window_end: data.suggestedWindow.end,
      chosen_renewal_time: data.chosenRenewalTime,
      explanation_url: data.explanationUrl,
      next_poll_at: data.nextPollAt,
      last_retry_after: data.retryAfter,
      consecutive_failures: 0,
      last_failure: null,
      fetched_at: data.fetchedAt,
      updated_at: data.fetchedAt,
    };
    await trx.insertInto('ari_renewal_info').values({ certificate_id: data.certificateId, ...row })
      .onConflict((oc) => oc.column('certificate_id').doUpdateSet(row)).execute();
  },
  async AriRenewalInfoFetchFailed(trx, event) {
    const data = event.data as AriRenewalInfoFetchFailed['data'];
    // A failure keeps the last good window: the renewal time drawn from it still holds.
    const row = {
      acme_server_id: data.acmeServerId,
      ari_identifier: data.ariIdentifier,
      next_poll_at: data.nextPollAt,
      last_retry_after: data.retryAfter,
      consecutive_failures: data.consecutiveFailures,
      last_failure: JSON.stringify({ status: data.status, reason: data.reason, at: data.failedAt }),
      updated_at: data.failedAt,
    };
    await trx.insertInto('ari_renewal_info').values({ certificate_id: data.certificateId, ...row })
      .onConflict((oc) => oc.column('certificate_id').doUpdateSet(row)).execute();
  },
};
