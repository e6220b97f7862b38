import { sql, type Transaction } from 'kysely';
import type { CaCertificateImported, CaCertificateIssuerReconciled } from '../../domain/ca-certificate/events.js';
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
      // Events stored before the source was recorded all came from certificate uploads.
      source: data.source ?? 'certificate-upload',
      source_url: data.sourceUrl ?? null,
      aia_ca_issuers_urls: JSON.stringify(data.aiaCaIssuersUrls ?? []),
      subject_key_id: data.subjectKeyId ?? null,
      authority_key_id: data.authorityKeyId ?? null,
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
  await linkIssuersAlongChain(trx, data.caCertificateIds);
}

/**
 * A chain was checked on import (each element signs the one before), so it also tells each CA
 * certificate its issuer. Only fills a gap: an AIA reconciliation, a fact about that very
 * certificate, is never overwritten by what a chain implies.
 */
async function linkIssuersAlongChain(trx: Transaction<Database>, caCertificateIds: readonly string[]): Promise<void> {
  const pairs = caCertificateIds.slice(0, -1).map((id, index) => [id, caCertificateIds[index + 1]!] as const);
  if (pairs.length === 0) return;
  await sql`
    UPDATE ca_certificates c
       SET issuer_ca_certificate_id = p.issuer_id
      FROM unnest(${pairs.map(([id]) => id)}::text[], ${pairs.map(([, issuer]) => issuer)}::text[]) AS p(id, issuer_id)
     WHERE c.id = p.id AND c.issuer_ca_certificate_id IS NULL`.execute(trx);
}

async function caCertificateIssuerReconciled(trx: Transaction<Database>, data: CaCertificateIssuerReconciled['data']): Promise<void> {
  await trx
    .updateTable('ca_certificates')
    .set({ issuer_ca_certificate_id: data.issuerCaCertificateId })
    .where('id', '=', data.caCertificateId)
    .execute();
}

/** CA certificates, the chains built from them (a chain reads its certificates' PEMs) and issuer links. */
export const caCertificateHandlers: CatalogHandlers = {
  CaCertificateImported: (trx, event) => caCertificateImported(trx, event.data as CaCertificateImported['data']),
  CaCertificateIssuerReconciled: (trx, event) => caCertificateIssuerReconciled(trx, event.data as CaCertificateIssuerReconciled['data']),
  CaChainImported: (trx, event) => caChainImported(trx, event.data as CaChainImported['data']),
};
