import type { Transaction } from 'kysely';
import type { CertificateActivated, CertificateDeactivated, CertificateRevocationMarked } from '../../domain/certificate/events.js';
import type { DomainActivated, DomainDeactivated } from '../../domain/domain/events.js';
import type { PrivateKeyCompromiseMarked } from '../../domain/private-key/events.js';
import type { Database } from '../../infra/db/schema.js';
import { updateRecents } from '../recents.js';
import type { CatalogHandlers } from './handler.js';

type CertificateMark = { certificateId: string; isActive: boolean; isRevoked?: true; reason: string | null; at: string };

/**
 * One certificate's flags, then the recents of every domain it names: a deactivation hands the
 * domain to its next-best active certificate (or NULL), an activation may take it back.
 * Plain UPDATEs of the event's values, so applying the same event twice changes nothing.
 */
async function markCertificate(trx: Transaction<Database>, mark: CertificateMark): Promise<void> {
  const updated = await trx
    .updateTable('certificates')
    .set({
      is_active: mark.isActive,
      ...(mark.isRevoked ? { is_revoked: true } : {}),
      deactivation_reason: mark.reason,
      status_changed_at: mark.at,
    })
    .where('id', '=', mark.certificateId)
    .returning('unique_fqdn_set_id')
    .executeTakeFirst();
  if (!updated) return;
  const domains = await trx
    .selectFrom('unique_fqdn_set_domains')
    .select('domain_id')
    .where('unique_fqdn_set_id', '=', updated.unique_fqdn_set_id)
    .execute();
  await updateRecents(trx, domains.map((d) => d.domain_id));
}

/** Upsert: the row normally exists (a certificate named the domain first), but a replay must never depend on it. */
async function markDomain(trx: Transaction<Database>, data: { domainId: string; domainName: string }, isActive: boolean, at: string): Promise<void> {
  await trx
    .insertInto('domains')
    .values({ id: data.domainId, domain_name: data.domainName, is_active: isActive, created_at: at })
    .onConflict((oc) => oc.column('domain_name').doUpdateSet({ is_active: isActive }))
    .execute();
}

/** Lifecycle marks of certificates, domains and private keys. */
export const lifecycleHandlers: CatalogHandlers = {
  async CertificateDeactivated(trx, event) {
    const data = event.data as CertificateDeactivated['data'];
    await markCertificate(trx, { certificateId: data.certificateId, isActive: false, reason: data.reason, at: data.deactivatedAt });
  },
  async CertificateActivated(trx, event) {
    const data = event.data as CertificateActivated['data'];
    await markCertificate(trx, { certificateId: data.certificateId, isActive: true, reason: null, at: data.activatedAt });
  },
  async CertificateRevocationMarked(trx, event) {
    const data = event.data as CertificateRevocationMarked['data'];
    await markCertificate(trx, { certificateId: data.certificateId, isActive: false, isRevoked: true, reason: data.reason, at: data.markedAt });
  },
  async DomainActivated(trx, event) {
    const data = event.data as DomainActivated['data'];
    await markDomain(trx, data, true, data.activatedAt);
  },
  async DomainDeactivated(trx, event) {
    const data = event.data as DomainDeactivated['data'];
    await markDomain(trx, data, false, data.deactivatedAt);
  },
  async PrivateKeyCompromiseMarked(trx, event) {
    const data = event.data as PrivateKeyCompromiseMarked['data'];
    // Only the key's row: which certificates need replacing is derived when read, by joining this flag.
    await trx
      .updateTable('private_keys')
      .set({ is_compromised: true, compromised_reason: data.reason, compromised_at: data.markedAt })
      .where('id', '=', data.privateKeyId)
      .execute();
  },
};
