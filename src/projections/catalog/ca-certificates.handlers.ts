import type { Transaction } from 'kysely';
import type { CaCertificateImported } from '../../domain/ca-certificate/events.js';
import type { CaChainImported } from '../../domain/ca-chain/events.js';
import { IllegalStateError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';
import { certificateFactColumns } from './certificate-columns.js';
import type { CatalogHandlers } from './handler.js';

async function caCertificateImported(trx: Transaction<Database>, data: CaCertificateImported['data']): Promise<void> {
  await trx
    .insertInto('ca_certificates')
    .values({
      id: data.caCertificateId,
      ...certificateFactColumns(data),
      is_self_signed: data.isSelfSigned,
      created_at: data.importedAt,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** PEMs end with a newline; make sure, so the concatenation stays valid PEM. */
const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

async function caChainImported(trx: Transaction<Database>, data: CaChainImported['data']): Promise<void> {
  const rows =
    data.caCertificateIds.length === 0
      ? []
      : await trx.selectFrom('ca_certificates').select(['id', 'pem']).where('id', 'in', data.caCertificateIds).execute();
  const pemById = new Map(rows.map((row) => [row.id, row.pem]));
  const missing = data.caCertificateIds.filter((id) => !pemById.has(id));
  // The chain's decider requires its CA certificates first; serving a truncated chain would be worse than stopping.
  if (missing.length > 0) {
    throw new IllegalStateError(`CA chain ${data.caChainId} names unknown CA certificates ${missing.join(', ')}`);
  }
  const pem = data.caCertificateIds.map((id) => withNewline(pemById.get(id) as string)).join('');
  await trx
    .insertInto('ca_chains')
    .values({
      id: data.caChainId,
      ca_certificate_ids: JSON.stringify(data.caCertificateIds),
      pem,
      created_at: data.importedAt,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** CA certificates and the chains built from them (a chain reads its certificates' PEMs). */
export const caCertificateHandlers: CatalogHandlers = {
  CaCertificateImported: (trx, event) => caCertificateImported(trx, event.data as CaCertificateImported['data']),
  CaChainImported: (trx, event) => caChainImported(trx, event.data as CaChainImported['data']),
};
