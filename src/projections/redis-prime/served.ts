import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { PrimeCertificate } from '../../infra/redis/prime-writer.js';
import { toPem } from '../../infra/x509/pem.js';

export type ServedDeps = { db: Kysely<Database>; vault: KeyVault };

type ServedRow = { domain_name: string; id: string; private_key_id: string; chain_id: string | null };

/** What each domain serves, as ids: the latest multi, else the latest single, with its selected chain. */
function servedIds(db: Kysely<Database>) {
  return db
    .selectFrom('domains as d')
    .innerJoin('certificates as c', (j) => j.on('c.id', '=', sql<string>`coalesce(d.certificate_latest_multi_id, d.certificate_latest_single_id)`))
    .leftJoin('certificate_chains as cc', (j) => j.onRef('cc.certificate_id', '=', 'c.id').on('cc.is_selected', '=', true))
    .select(['d.domain_name', 'c.id', 'c.private_key_id', 'cc.ca_chain_id as chain_id'])
    .where('d.is_active', '=', true);
}

/**
 * The PEMs of the rows' certificates, chains and keys, read once per certificate (not once per
 * domain: a certificate names 10 domains in the bench corpus), with one shared PrimeCertificate
 * per certificate and chain. A row whose key is not readable (shredded) serves nothing.
 */
async function withPems(deps: ServedDeps, rows: readonly ServedRow[], served: Map<string, PrimeCertificate | null>): Promise<void> {
  if (rows.length === 0) return;
  const certificateIds = [...new Set(rows.map((r) => r.id))];
  const chainIds = [...new Set(rows.flatMap((r) => (r.chain_id ? [r.chain_id] : [])))];
  const [certificates, chains, keys] = await Promise.all([
    deps.db.selectFrom('certificates').select(['id', 'pem']).where('id', 'in', certificateIds).execute(),
    chainIds.length === 0 ? [] : deps.db.selectFrom('ca_chains').select(['id', 'pem']).where('id', 'in', chainIds).execute(),
    deps.vault.getMany(rows.map((r) => r.private_key_id)),
  ]);
  const certificatePems = new Map(certificates.map((c) => [c.id, c.pem]));
  const chainPems = new Map(chains.map((c) => [c.id, c.pem]));
  const keyPems = new Map<string, string>();
  const shared = new Map<string, PrimeCertificate>();
  for (const row of rows) {
    const certificatePem = certificatePems.get(row.id);
    const der = keys.get(row.private_key_id);
    if (certificatePem === undefined || !der) continue;
    const chainPem = (row.chain_id && chainPems.get(row.chain_id)) || '';
    const chainId = chainPem ? (row.chain_id as string) : '';
    const group = `${row.id}\n${chainId}`;
    let cert = shared.get(group);
    if (!cert) {
      let privateKeyPem = keyPems.get(row.private_key_id);
      if (privateKeyPem === undefined) {
        privateKeyPem = toPem('PRIVATE KEY', der);
        keyPems.set(row.private_key_id, privateKeyPem);
      }
      cert = { certificateId: row.id, certificatePem, privateKeyId: row.private_key_id, privateKeyPem, chainId, chainPem, fullchainPem: certificatePem + chainPem };
      shared.set(group, cert);
    }
    served.set(row.domain_name, cert);
  }
}

/**
 * What nginx gets for each domain, as config.json serves it: the latest multi, else the latest
 * single (lua-resty-peter_sslers' order), with the selected chain; null for an unknown or inactive
 * domain, one with no certificate, or one whose key is not readable (shredded). A few queries and
 * one vault read for the whole batch: the full prime and the projection rewrite thousands at a time.
 */
export async function servedCertificates(deps: ServedDeps, domainNames: readonly string[]): Promise<Map<string, PrimeCertificate | null>> {
  const served = new Map<string, PrimeCertificate | null>(domainNames.map((name) => [name, null]));
  if (domainNames.length === 0) return served;
  const rows = await servedIds(deps.db).where('d.domain_name', 'in', [...new Set(domainNames)]).execute();
  await withPems(deps, rows, served);
  return served;
}

/**
 * servedCertificates for the next `limit` domains of the catalog after `after` (by name), read in
 * the same query as the page itself: what the full prime walks. `names` is the whole page.
 */
export async function servedPage(deps: ServedDeps, after: string, limit: number): Promise<{ names: string[]; served: Map<string, PrimeCertificate | null> }> {
  const page = await deps.db
    .selectFrom('domains as d')
    .leftJoin('certificates as c', (j) => j.on('c.id', '=', sql<string>`coalesce(d.certificate_latest_multi_id, d.certificate_latest_single_id)`))
    .leftJoin('certificate_chains as cc', (j) => j.onRef('cc.certificate_id', '=', 'c.id').on('cc.is_selected', '=', true))
    .select(['d.domain_name', 'd.is_active', 'c.id', 'c.private_key_id', 'cc.ca_chain_id as chain_id'])
    .where('d.domain_name', '>', after)
    .orderBy('d.domain_name')
    .limit(limit)
    .execute();
  const names = page.map((row) => row.domain_name);
  const served = new Map<string, PrimeCertificate | null>(names.map((name) => [name, null]));
  const rows = page.flatMap((r) => (r.is_active && r.id !== null && r.private_key_id !== null ? [{ ...r, id: r.id, private_key_id: r.private_key_id }] : []));
  await withPems(deps, rows, served);
  return { names, served };
}
