import type {
  AcmeAccountChecked,
  AcmeAccountContactUpdated,
  AcmeAccountCreated,
  AcmeAccountDeactivated,
  AcmeAccountKeyRolledOver,
  AcmeAccountOperationFailed,
  AcmeAccountOrderDefaultsChanged,
  AcmeAccountRegistered,
} from '../../domain/acme-account/events.js';
import type {
  AcmeServerDefaultChanged,
  AcmeServerDirectoryFetchFailed,
  AcmeServerDirectoryFetched,
  AcmeServerRegistered,
} from '../../domain/acme-server/events.js';
import { sql, type Transaction, type UpdateObject } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { AcmeHandlers } from './handler.js';

/** Server rows. Inserts keep the first row on a replay; updates write the event's values, so twice is once. */
const serverHandlers: AcmeHandlers = {
  async AcmeServerRegistered(trx, event) {
    const data = event.data as AcmeServerRegistered['data'];
    await trx.insertInto('acme_servers').values({
      id: data.acmeServerId,
      name: data.name,
      directory_url: data.directoryUrl,
      ca_bundle_pem: data.caBundlePem,
      created_at: data.registeredAt,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
  async AcmeServerDirectoryFetched(trx, event) {
    const data = event.data as AcmeServerDirectoryFetched['data'];
    await trx.updateTable('acme_servers').set({
      directory: JSON.stringify(data.directory),
      directory_sha256: data.directorySha256,
      external_account_required: data.externalAccountRequired,
      terms_of_service: data.termsOfService,
      directory_fetched_at: data.fetchedAt,
      // Counted once per event: a replay of the same event finds its own hash in place.
      directory_changed_count: data.previousSha256 === null
        ? sql<number>`directory_changed_count`
        : sql<number>`case when directory_sha256 = ${data.directorySha256} then directory_changed_count else directory_changed_count + 1 end`,
    }).where('id', '=', data.acmeServerId).execute();
  },
  async AcmeServerDirectoryFetchFailed(trx, event) {
    const data = event.data as AcmeServerDirectoryFetchFailed['data'];
    await trx.updateTable('acme_servers').set({ last_failure: JSON.stringify(data.failure), last_failure_at: data.failedAt })
      .where('id', '=', data.acmeServerId).execute();
  },
  async AcmeServerDefaultChanged(trx, event) {
    const data = event.data as AcmeServerDefaultChanged['data'];
    await trx.updateTable('acme_servers').set({ is_default: sql<boolean>`id = ${data.acmeServerId}` }).execute();
  },
};

type AccountUpdate = UpdateObject<Database, 'acme_accounts'>;

const updateAccount = (trx: Transaction<Database>, acmeAccountId: string, at: string, values: AccountUpdate) =>
  trx.updateTable('acme_accounts').set({ ...values, updated_at: at }).where('id', '=', acmeAccountId).execute();

const accountRowHandlers: AcmeHandlers = {
  async AcmeAccountCreated(trx, event) {
    const data = event.data as AcmeAccountCreated['data'];
    await trx.insertInto('acme_accounts').values({
      id: data.acmeAccountId,
      acme_server_id: data.acmeServerId,
      status: 'unregistered',
      contact: JSON.stringify(data.contact),
      key_id: data.key.keyId,
      key_technology: data.key.keyTechnology,
      key_jwk_thumbprint: data.key.jwkThumbprint,
      key_spki_sha256: data.key.spkiSha256,
      key_source: data.key.source,
      order_default_private_key_technology: data.orderDefaults.privateKeyTechnology,
      order_default_private_key_cycle: data.orderDefaults.privateKeyCycle,
      created_at: data.createdAt,
      updated_at: data.createdAt,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
  },
  async AcmeAccountRegistered(trx, event) {
    const data = event.data as AcmeAccountRegistered['data'];
    await updateAccount(trx, data.acmeAccountId, data.registeredAt, {
      status: data.status === 'deactivated' ? 'deactivated' : 'valid',
      account_url: data.accountUrl,
      contact: JSON.stringify(data.contact),
      eab_key_id: data.externalAccountBindingKeyId,
      registered_at: data.registeredAt,
    });
  },
  async AcmeAccountChecked(trx, event) {
    const data = event.data as AcmeAccountChecked['data'];
    const status = data.result === 'not_found' ? 'unregistered' : data.result;
    await updateAccount(trx, data.acmeAccountId, data.checkedAt, {
      status,
      last_check_result: data.result,
      last_checked_at: data.checkedAt,
      ...(data.result === 'valid' && data.accountUrl ? { account_url: data.accountUrl } : {}),
      ...(data.result === 'not_found' ? { account_url: null } : {}),
      ...(data.result === 'deactivated' ? { deactivated_at: sql<Date>`coalesce(deactivated_at, ${data.checkedAt}::timestamptz)` } : {}),
    });
  },
  async AcmeAccountContactUpdated(trx, event) {
    const data = event.data as AcmeAccountContactUpdated['data'];
    await updateAccount(trx, data.acmeAccountId, data.updatedAt, { contact: JSON.stringify(data.contact) });
  },
  async AcmeAccountKeyRolledOver(trx, event) {
    const data = event.data as AcmeAccountKeyRolledOver['data'];
    await updateAccount(trx, data.acmeAccountId, data.rolledOverAt, {
      key_id: data.newKey.keyId,
      key_technology: data.newKey.keyTechnology,
      key_jwk_thumbprint: data.newKey.jwkThumbprint,
      key_spki_sha256: data.newKey.spkiSha256,
      key_source: data.newKey.source,
      key_rolled_over_at: data.rolledOverAt,
      retired_key_ids: sql<string>`case when retired_key_ids ? ${data.oldKeyId} then retired_key_ids else retired_key_ids || ${JSON.stringify([data.oldKeyId])}::jsonb end`,
    });
  },
  async AcmeAccountDeactivated(trx, event) {
    const data = event.data as AcmeAccountDeactivated['data'];
    await updateAccount(trx, data.acmeAccountId, data.deactivatedAt, { status: 'deactivated', deactivated_at: data.deactivatedAt });
  },
  async AcmeAccountOrderDefaultsChanged(trx, event) {
    const data = event.data as AcmeAccountOrderDefaultsChanged['data'];
    await updateAccount(trx, data.acmeAccountId, data.changedAt, {
      order_default_private_key_technology: data.orderDefaults.privateKeyTechnology,
      order_default_private_key_cycle: data.orderDefaults.privateKeyCycle,
    });
  },
  async AcmeAccountOperationFailed(trx, event) {
    const data = event.data as AcmeAccountOperationFailed['data'];
    await updateAccount(trx, data.acmeAccountId, data.failedAt, {
      last_problem_operation: data.operation,
      last_problem: JSON.stringify(data.failure),
      last_problem_at: data.failedAt,
    });
  },
};

/**
 * ACME servers and accounts. AcmeExchangeRecorded is not projected: the exchanges are read from
 * the account's stream when audited (GET /api/v1/acme-accounts/{id}/exchanges).
 */
export const accountHandlers: AcmeHandlers = { ...serverHandlers, ...accountRowHandlers };
