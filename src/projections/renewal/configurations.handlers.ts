import type { Transaction, UpdateObject } from 'kysely';
import type {
  RenewalAttemptFailed, RenewalAttemptStarted, RenewalAttemptSucceeded, RenewalConfigurationActivated, RenewalConfigurationCertificateAdopted, RenewalConfigurationCreated,
  RenewalConfigurationDeactivated, RenewalConfigurationReplaced, RenewalQueued,
} from '../../domain/renewal-configuration/events.js';
import { lifetimeRenewAt } from '../../domain/renewal-configuration/due.js';
import type { SystemPolicySet } from '../../domain/system-policy/policy.js';
import type { Database } from '../../infra/db/schema.js';
import type { CatalogHandlers } from '../catalog/handler.js';

type ConfigurationUpdate = UpdateObject<Database, 'renewal_configurations'>;

const updateConfiguration = (trx: Transaction<Database>, id: string, at: string, values: ConfigurationUpdate) =>
  trx.updateTable('renewal_configurations').set({ ...values, updated_at: at }).where('id', '=', id).execute();

/** The lifetime rule's renewal time; ARI (R2) is folded in at query time from ari_renewal_info. */
const renewAt = (notBefore: string, notAfter: string): string =>
  new Date(lifetimeRenewAt(Date.parse(notBefore), Date.parse(notAfter))).toISOString();

/** Closes the configuration's open queue item with the attempt's outcome. */
const closeQueueItem = (trx: Transaction<Database>, configurationId: string, at: string, values: UpdateObject<Database, 'renewal_queue'>) =>
  trx.updateTable('renewal_queue').set({ ...values, processed_at: at })
    .where('renewal_configuration_id', '=', configurationId).where('status', '=', 'queued').execute();

/** The new certificate follows the one it replaces in the configuration's lineage. */
async function recordLineage(trx: Transaction<Database>, configurationId: string, certificateId: string, replacesId: string | null, orderId: string | null, at: string) {
  const lineage = { replaces_certificate_id: replacesId, renewal_configuration_id: configurationId, acme_order_id: orderId, updated_at: at };
  await trx.insertInto('certificate_lineage').values({ certificate_id: certificateId, replaced_by_certificate_id: null, ...lineage })
    .onConflict((oc) => oc.column('certificate_id').doUpdateSet(lineage)).execute();
  if (replacesId) {
    await trx.insertInto('certificate_lineage').values({
      certificate_id: replacesId, replaces_certificate_id: null, replaced_by_certificate_id: certificateId,
      renewal_configuration_id: configurationId, acme_order_id: null, updated_at: at,
    }).onConflict((oc) => oc.column('certificate_id').doUpdateSet({ replaced_by_certificate_id: certificateId, updated_at: at })).execute();
  }
}

/**
 * Renewal configurations, their certificates' lineage, the renewal queue and system policies.
 * Inserts keep the first row on a replay; updates write the event's values, so replays converge.
 */
export const configurationHandlers: CatalogHandlers = {
  async SystemPolicySet(trx, event) {
    const d = event.data as SystemPolicySet['data'];
    const values = {
      acme_account_id: d.primary.accountId, key_technology: d.primary.keyTechnology, key_policy: d.primary.keyPolicy, acme_profile: d.primary.profile,
      backup_acme_account_id: d.backup?.accountId ?? null, backup_key_technology: d.backup?.keyTechnology ?? null,
      backup_key_policy: d.backup?.keyPolicy ?? null, backup_acme_profile: d.backup?.profile ?? null, updated_at: d.setAt,
    };
    await trx.insertInto('system_policies').values({ name: d.name, ...values }).onConflict((oc) => oc.column('name').doUpdateSet(values)).execute();
  },
  async RenewalConfigurationCreated(trx, event) {
    const d = event.data as RenewalConfigurationCreated['data'];
    await trx.insertInto('renewal_configurations').values({
      id: d.configurationId,
      acme_account_id: d.primary.accountId,
      unique_fqdn_set_id: d.uniqueFqdnSetId,
      domain_names: JSON.stringify(d.domainNames),
      identifiers: JSON.stringify(d.identifiers.map((i) => ({ type: i.type, value: i.value, challenge_type: i.challengeType }))),
      key_technology: d.primary.keyTechnology,
      key_policy: d.primary.keyPolicy,
      acme_profile: d.primary.profile,
      is_auto_renew: d.isAutoRenew,
      is_active: true,
      backup_acme_account_id: d.backup?.accountId ?? null,
      backup_key_technology: d.backup?.keyTechnology ?? null,
      backup_key_policy: d.backup?.keyPolicy ?? null,
      backup_acme_profile: d.backup?.profile ?? null,
      replaces_configuration_id: d.replacesConfigurationId,
      replaced_by_configuration_id: null,
      latest_certificate_id: d.certificate?.certificateId ?? null,
      latest_not_before: d.certificate?.notBefore ?? null,
      latest_not_after: d.certificate?.notAfter ?? null,
      renew_at: d.certificate ? renewAt(d.certificate.notBefore, d.certificate.notAfter) : null,
      next_attempt_at: null,
      attempt_id: null,
      attempt_started_at: null,
      last_attempt_at: null,
      last_failure: null,
      created_at: d.createdAt,
      updated_at: d.createdAt,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
  async RenewalConfigurationReplaced(trx, event) {
    const d = event.data as RenewalConfigurationReplaced['data'];
    await updateConfiguration(trx, d.configurationId, d.replacedAt, { is_active: false, replaced_by_configuration_id: d.replacedByConfigurationId });
    await closeQueueItem(trx, d.configurationId, d.replacedAt, { status: 'cancelled' });
  },
  async RenewalConfigurationActivated(trx, event) {
    const d = event.data as RenewalConfigurationActivated['data'];
    await updateConfiguration(trx, d.configurationId, d.activatedAt, { is_active: true });
  },
  async RenewalConfigurationDeactivated(trx, event) {
    const d = event.data as RenewalConfigurationDeactivated['data'];
    await updateConfiguration(trx, d.configurationId, d.deactivatedAt, { is_active: false });
    await closeQueueItem(trx, d.configurationId, d.deactivatedAt, { status: 'cancelled' });
  },
  async RenewalAttemptStarted(trx, event) {
    const d = event.data as RenewalAttemptStarted['data'];
    await updateConfiguration(trx, d.configurationId, d.startedAt, { attempt_id: d.attemptId, attempt_started_at: d.startedAt, last_attempt_at: d.startedAt });
  },
  async RenewalAttemptSucceeded(trx, event) {
    const d = event.data as RenewalAttemptSucceeded['data'];
    const c = d.certificate;
    await updateConfiguration(trx, d.configurationId, d.succeededAt, {
      attempt_id: null, attempt_started_at: null, latest_certificate_id: c.certificateId, latest_not_before: c.notBefore, latest_not_after: c.notAfter,
      renew_at: renewAt(c.notBefore, c.notAfter), next_attempt_at: null, primary_failures: 0, consecutive_failures: 0, last_failure: null,
    });
    await recordLineage(trx, d.configurationId, c.certificateId, d.replacesCertificateId, d.orderId, d.succeededAt);
    await closeQueueItem(trx, d.configurationId, d.succeededAt, { status: 'processed', acme_order_id: d.orderId, certificate_id: c.certificateId });
  },
  async RenewalConfigurationCertificateAdopted(trx, event) {
    const d = event.data as RenewalConfigurationCertificateAdopted['data'];
    const c = d.certificate;
    await updateConfiguration(trx, d.configurationId, d.adoptedAt, {
      latest_certificate_id: c.certificateId, latest_not_before: c.notBefore, latest_not_after: c.notAfter,
      renew_at: renewAt(c.notBefore, c.notAfter), next_attempt_at: null, primary_failures: 0, consecutive_failures: 0, last_failure: null,
    });
    await recordLineage(trx, d.configurationId, c.certificateId, d.replacesCertificateId, null, d.adoptedAt);
    await closeQueueItem(trx, d.configurationId, d.adoptedAt, { status: 'cancelled' });
  },
  async RenewalAttemptFailed(trx, event) {
    const d = event.data as RenewalAttemptFailed['data'];
    await updateConfiguration(trx, d.configurationId, d.failedAt, {
      attempt_id: null, attempt_started_at: null, next_attempt_at: d.nextAttemptAt, primary_failures: d.primaryFailures,
      consecutive_failures: d.consecutiveFailures,
      last_failure: JSON.stringify({ message: d.message, orderId: d.orderId, useBackup: d.useBackup, at: d.failedAt }),
    });
    await closeQueueItem(trx, d.configurationId, d.failedAt, { status: 'failed', acme_order_id: d.orderId, failure: d.message });
  },
  async RenewalQueued(trx, event) {
    const d = event.data as RenewalQueued['data'];
    await trx.insertInto('renewal_queue').values({
      id: d.queueItemId, renewal_configuration_id: d.configurationId, status: 'queued', queued_at: d.queuedAt,
      processed_at: null, acme_order_id: null, certificate_id: null, failure: null,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
};
