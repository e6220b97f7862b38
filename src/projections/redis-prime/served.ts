import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { PrimeCertificate } from '../../infra/redis/prime-writer.js';
import { toPem } from '../../infra/x509/pem.js';

export type ServedDeps = { db: Kysely<Database>; vault: KeyVault };

/**
 * What nginx gets for each domain, as config.json serves it: the latest multi, else the latest
 * single (lua-resty-peter_sslers' order), with the selected chain; null for an unknown or inactive
 * domain, one with no certificate, or one whose key is not readable (shredded). One query and one
 * vault read for the whole batch: the full prime and the projection rewrite thousands at a time.
 */
export async function servedCertificates(deps: ServedDeps, domainNames: readonly string[]): Promise<Map<string, PrimeCertificate | null>> {
  const served = new Map<string, PrimeCertificate | null>(domainNames.map((name) => [name, null]));
  if (domainNames.length === 0) return served;
  const rows = await deps.db
    .selectFrom('domains as d')
    .innerJoin('certificates as c', (j) => j.on('c.id', '=', sql<string>`coalesce(d.certificate_latest_multi_id, d.certificate_latest_single_id)`))
    .leftJoin('certificate_chains as cc', (j) => j.onRef('cc.certificate_id', '=', 'c.id').on('cc.is_selected', '=', true))
    .leftJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
    .select(['d.domain_name', 'c.id', 'c.pem', 'c.private_key_id', 'ch.id as chain_id', 'ch.pem as chain_pem'])
    .where('d.domain_name', 'in', [...new Set(domainNames)])
    .where('d.is_active', '=', true)
    .execute();
  const keys = await deps.vault.getMany(rows.map((r) => r.private_key_id));
  const pems = new Map<string, string>();
  for (const row of rows) {
    const der = keys.get(row.private_key_id);
    if (!der) continue;
    let keyPem = pems.get(row.private_key_id);
    if (keyPem === undefined) {
      keyPem = toPem('PRIVATE KEY', der);
      pems.set(row.private_key_id, keyPem);
    }
    const chainPem = row.chain_id && row.chain_pem ? row.chain_pem : '';
    served.set(row.domain_name, {
      certificateId: row.id,
      certificatePem: row.pem,
      privateKeyId: row.private_key_id,
      privateKeyPem: keyPem,
      chainId: chainPem ? (row.chain_id as string) : '',
      chainPem,
      fullchainPem: row.pem + chainPem,
    });
  }
  return served;
}
