import { sql, type Transaction, type UpdateObject } from 'kysely';
import type {
  AcmeAuthorizationDeactivated,
  AcmeAuthorizationSynced,
  AcmeCertificateDownloaded,
  AcmeCertificateRevoked,
  AcmeChallengePolled,
  AcmeChallengePrepared,
  AcmeChallengeSynced,
  AcmeChallengeTriggered,
  AcmeDnsRecordRemoved,
  AcmeDnsRecordSet,
  AcmeOrderCreated,
  AcmeOrderFinalized,
  AcmeOrderMarkedInvalid,
  AcmeOrderRateLimited,
  AcmeOrderRetried,
  AcmeOrderStepFailed,
  AcmeOrderSubmitted,
  AcmeOrderSynced,
} from '../../domain/acme-order/events.js';
import type { Database } from '../../infra/db/schema.js';
import type { AcmeHandlers } from './handler.js';

type OrderUpdate = UpdateObject<Database, 'acme_orders'>;
type ChallengeUpdate = UpdateObject<Database, 'acme_challenges'>;

const updateOrder = (trx: Transaction<Database>, orderId: string, at: string, values: OrderUpdate) =>
  trx.updateTable('acme_orders').set({ ...values, updated_at: at }).where('id', '=', orderId).execute();

const updateChallenge = (trx: Transaction<Database>, challengeId: string, at: string, values: ChallengeUpdate) =>
  trx.updateTable('acme_challenges').set({ ...values, updated_at: at }).where('id', '=', challengeId).execute();

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * ACME orders, authorizations and challenges (the token → key authorization the public app
 * serves), and the rate limits new orders are checked against. Inserts keep the first row on a
 * replay; updates write the event's values; counters move only past their row's last position.
 */
export const orderHandlers: AcmeHandlers = {
  async AcmeOrderCreated(trx, event) {
    const d = event.data as AcmeOrderCreated['data'];
    await trx.insertInto('acme_orders').values({
      id: d.orderId,
      acme_account_id: d.accountId,
      acme_server_id: d.acmeServerId,
      status: 'created',
      processing: d.processing,
      identifiers: JSON.stringify(d.identifiers.map((i) => ({ type: i.type, value: i.value, challenge_type: i.challengeType }))),
      domain_names: JSON.stringify(d.identifiers.map((i) => i.value).sort()),
      unique_fqdn_set_id: d.uniqueFqdnSetId,
      key_policy: d.keyPolicy,
      key_technology: d.keyTechnology,
      deactivate_on_failure: d.deactivateOnFailure,
      retry_of: d.retryOf,
      retried_by: '[]',
      created_at: d.createdAt,
      updated_at: d.createdAt,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
  async AcmeOrderSubmitted(trx, event) {
    const d = event.data as AcmeOrderSubmitted['data'];
    await updateOrder(trx, d.orderId, d.submittedAt, {
      status: d.status, order_url: d.orderUrl, finalize_url: d.finalizeUrl, expires_at: d.expires, submitted_at: d.submittedAt, last_failure: null,
    });
  },
  async AcmeOrderSynced(trx, event) {
    const d = event.data as AcmeOrderSynced['data'];
    await updateOrder(trx, d.orderId, d.syncedAt, {
      status: d.status, finalize_url: d.finalizeUrl, certificate_url: d.certificateUrl, expires_at: d.expires, error: json(d.error),
    });
  },
  async AcmeAuthorizationSynced(trx, event) {
    const d = event.data as AcmeAuthorizationSynced['data'];
    const values = {
      acme_order_id: d.orderId,
      identifier_type: d.identifier.type,
      identifier_value: d.identifier.value,
      status: d.status,
      expires_at: d.expires,
      is_wildcard: d.wildcard,
      updated_at: d.syncedAt,
    };
    await trx.insertInto('acme_authorizations').values({ id: d.authorizationId, url: d.url, created_at: d.syncedAt, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    await trx.insertInto('acme_order_authorizations').values({ acme_order_id: d.orderId, acme_authorization_id: d.authorizationId })
      .onConflict((oc) => oc.columns(['acme_order_id', 'acme_authorization_id']).doNothing()).execute();
    const domain = d.wildcard ? `*.${d.identifier.value}` : d.identifier.value;
    for (const c of d.challenges) {
      // The order that last reported it answers it: a CA may hand one pending authorization to a newer order.
      const changing = { acme_order_id: d.orderId, status: c.status, error: json(c.error), validated_at: c.validated, updated_at: d.syncedAt };
      await trx.insertInto('acme_challenges').values({
        id: c.challengeId, url: c.url, acme_authorization_id: d.authorizationId, type: c.type, token: c.token,
        domain, created_at: d.syncedAt, last_position: 0, ...changing,
      }).onConflict((oc) => oc.column('id').doUpdateSet(changing)).execute();
    }
  },
  async AcmeChallengePrepared(trx, event) {
    const d = event.data as AcmeChallengePrepared['data'];
    await updateChallenge(trx, d.challengeId, d.preparedAt, { key_authorization: d.keyAuthorization, acme_order_id: d.orderId });
  },
  async AcmeChallengeSynced(trx, event) {
    const d = event.data as AcmeChallengeSynced['data'];
    await updateChallenge(trx, d.challengeId, d.syncedAt, { status: d.status, error: json(d.error), validated_at: d.validated });
  },
  async AcmeChallengeTriggered(trx, event) {
    const d = event.data as AcmeChallengeTriggered['data'];
    await updateChallenge(trx, d.challengeId, d.triggeredAt, { status: d.status, triggered_at: d.triggeredAt });
  },
  async AcmeChallengePolled(trx, event) {
    const d = event.data as AcmeChallengePolled['data'];
    await trx.updateTable('acme_challenges').set({
      poll_count: sql<number>`poll_count + 1`,
      last_polled_at: d.polledAt,
      last_poll_remote_address: d.remoteAddress,
      last_position: event.position,
    }).where('id', '=', d.challengeId).where('last_position', '<', event.position).execute();
  },
  async AcmeDnsRecordSet(trx, event) {
    const d = event.data as AcmeDnsRecordSet['data'];
    await updateChallenge(trx, d.challengeId, d.setAt, { dns_provider: d.provider, dns_record_name: d.recordName, dns_value: d.value, dns_record_state: 'set' });
  },
  async AcmeDnsRecordRemoved(trx, event) {
    const d = event.data as AcmeDnsRecordRemoved['data'];
    await updateChallenge(trx, d.challengeId, d.removedAt, { dns_record_state: 'removed' });
  },
  async AcmeAuthorizationDeactivated(trx, event) {
    const d = event.data as AcmeAuthorizationDeactivated['data'];
    await trx.updateTable('acme_authorizations').set({ status: d.status, updated_at: d.deactivatedAt }).where('id', '=', d.authorizationId).execute();
  },
  async AcmeOrderFinalized(trx, event) {
    const d = event.data as AcmeOrderFinalized['data'];
    await updateOrder(trx, d.orderId, d.finalizedAt, {
      private_key_id: d.privateKeyId, csr_id: d.csrId, csr_pem: d.csrPem, key_policy_final: d.keyPolicy, finalized_at: d.finalizedAt,
    });
  },
  async AcmeCertificateDownloaded(trx, event) {
    const d = event.data as AcmeCertificateDownloaded['data'];
    await updateOrder(trx, d.orderId, d.downloadedAt, { certificate_id: d.certificateId, certificate_downloaded_at: d.downloadedAt, last_failure: null });
  },
  async AcmeOrderStepFailed(trx, event) {
    const d = event.data as AcmeOrderStepFailed['data'];
    await updateOrder(trx, d.orderId, d.failedAt, { last_failure: json({ step: d.step, problem: d.problem, message: d.message, at: d.failedAt }) });
  },
  async AcmeOrderRateLimited(trx, event) {
    const d = event.data as AcmeOrderRateLimited['data'];
    await updateOrder(trx, d.orderId, d.recordedAt, { rate_limited_until: d.retryAfter.notBefore });
    await trx.insertInto('acme_rate_limits').values({
      id: event.id,
      acme_server_id: d.acmeServerId,
      acme_account_id: d.accountId,
      unique_fqdn_set_id: d.uniqueFqdnSetId,
      acme_order_id: d.orderId,
      step: d.step,
      not_before: d.retryAfter.notBefore,
      problem: json(d.problem),
      created_at: d.recordedAt,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
  async AcmeOrderMarkedInvalid(trx, event) {
    const d = event.data as AcmeOrderMarkedInvalid['data'];
    await updateOrder(trx, d.orderId, d.markedAt, { is_marked_invalid: true, marked_invalid_reason: d.reason });
  },
  async AcmeOrderRetried(trx, event) {
    const d = event.data as AcmeOrderRetried['data'];
    await trx.updateTable('acme_orders').set({
      retried_by: sql<string>`case when retried_by @> ${JSON.stringify([d.newOrderId])}::jsonb then retried_by else retried_by || ${JSON.stringify([d.newOrderId])}::jsonb end`,
      updated_at: d.retriedAt,
    }).where('id', '=', d.orderId).execute();
  },
  async AcmeCertificateRevoked(trx, event) {
    const d = event.data as AcmeCertificateRevoked['data'];
    if (d.orderId === null) return;
    await updateOrder(trx, d.orderId, d.revokedAt, { is_revoked: true });
  },
};
