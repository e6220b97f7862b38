import type { Transaction } from 'kysely';
import type { CertificateChainLinked, CertificateImported } from '../../domain/certificate/events.js';
import type { Database } from '../../infra/db/schema.js';
import { ids } from '../../infra/ids.js';
import { certificateFactColumns } from './certificate-columns.js';
import { reselectChains } from './chain-preference.handlers.js';
import type { CatalogHandlers } from './handler.js';
import { updateRecents } from '../recents.js';

/**
 * An import is a fact that never changes, so replays keep the first row (DO NOTHING): an
 * upsert would, for instance, re-activate a certificate that a later event deactivated.
 */
async function certificateImported(trx: Transaction<Database>, data: CertificateImported['data']): Promise<void> {
  await trx
    .insertInto('certificates')
    .values({
      id: data.certificateId,
      ...certificateFactColumns(data),
      key_technology: data.keyTechnology,
      private_key_id: data.privateKeyId,
      unique_fqdn_set_id: data.uniqueFqdnSetId,
      domain_count: data.domainNames.length,
      is_active: !data.isExpired,
      is_expired: data.isExpired,
      created_at: data.importedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  await trx
    .insertInto('unique_fqdn_sets')
    .values({
      id: data.uniqueFqdnSetId,
      domain_names: JSON.stringify(data.domainNames),
      domain_count: data.domainNames.length,
      created_at: data.importedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  if (data.domainNames.length === 0) return;
  const domains = data.domainNames.map((name) => ({ id: ids.domain(name), domain_name: name }));
  await trx
    .insertInto('domains')
    .values(domains.map((d) => ({ ...d, created_at: data.importedAt })))
    .onConflict((oc) => oc.column('domain_name').doNothing())
    .execute();
  await trx
    .insertInto('unique_fqdn_set_domains')
    .values(domains.map((d) => ({ unique_fqdn_set_id: data.uniqueFqdnSetId, domain_id: d.id })))
    .onConflict((oc) => oc.columns(['unique_fqdn_set_id', 'domain_id']).doNothing())
    .execute();
  await updateRecents(trx, domains.map((d) => d.id));
}

async function certificateChainLinked(trx: Transaction<Database>, data: CertificateChainLinked['data']): Promise<void> {
  // A later link of the same pair restates which chain is the default: the latest fact wins.
  await trx
    .insertInto('certificate_chains')
    .values({
      certificate_id: data.certificateId,
      ca_chain_id: data.caChainId,
      is_default: data.isDefault,
      created_at: data.linkedAt,
    })
    .onConflict((oc) => oc.columns(['certificate_id', 'ca_chain_id']).doUpdateSet({ is_default: data.isDefault }))
    .execute();
  await reselectChains(trx, [data.certificateId]);
}

/** Certificates, their name sets and domains, the domains' recents, and certificate→chain links. */
export const certificateHandlers: CatalogHandlers = {
  CertificateImported: (trx, event) => certificateImported(trx, event.data as CertificateImported['data']),
  CertificateChainLinked: (trx, event) => certificateChainLinked(trx, event.data as CertificateChainLinked['data']),
};
