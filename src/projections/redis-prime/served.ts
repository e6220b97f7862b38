import { sql, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { PrimeCertificate } from '../../infra/redis/prime-writer.js';
import { toPem } from '../../infra/x509/pem.js';

export type ServedDeps = { db: Kysely<Database>; vault: KeyVault };

/** A domain and the certificate it serves: the latest multi, else the latest single. */
type ServedRow = { domain_name: string; certificate_id: string };
/** A certificate with its selected chain. */
type CertificateRow = { id: string; pem: string; private_key_id: string; chain_id: string | null };

const latest = sql<string | null>`coalesce(d.certificate_latest_multi_id, d.certificate_latest_single_id)`;

const certificatesWithChain = (db: Kysely<Database>) =>
  db
    .selectFrom('certificates as c')
    .leftJoin('certificate_chains as cc', (j) => j.onRef('cc.certificate_id', '=', 'c.id').on('cc.is_selected', '=', true))
    .select(['c.id', 'c.pem', 'c.private_key_id', 'cc.ca_chain_id as chain_id']);

/**
 * The chains and keys of the certificates, read once per certificate (not per domain: a
 * certificate names 10 domains in the bench corpus), then one shared PrimeCertificate per
 * certificate set for each of its rows. A certificate whose key is not readable (shredded)
 * serves nothing.
 */
async function withPems(deps: ServedDeps, certificates: readonly CertificateRow[], rows: readonly ServedRow[], served: Map<string, PrimeCertificate | null>): Promise<void> {
  if (certificates.length === 0) return;
  const chainIds = [...new Set(certificates.flatMap((c) => (c.chain_id ? [c.chain_id] : [])))];
  const [chains, keys] = await Promise.all([
    chainIds.length === 0 ? [] : deps.db.selectFrom('ca_chains').select(['id', 'pem']).where('id', 'in', chainIds).execute(),
    deps.vault.getMany(certificates.map((c) => c.private_key_id)),
  ]);
  const chainPems = new Map(chains.map((c) => [c.id, c.pem]));
  const keyPems = new Map<string, string>();
  const shared = new Map<string, PrimeCertificate>();
  for (const c of certificates) {
    const der = keys.get(c.private_key_id);
    if (!der) continue;
    let privateKeyPem = keyPems.get(c.private_key_id);
    if (privateKeyPem === undefined) {
      privateKeyPem = toPem('PRIVATE KEY', der);
      keyPems.set(c.private_key_id, privateKeyPem);
    }
    const chainPem = (c.chain_id && chainPems.get(c.chain_id)) || '';
    const chainId = chainPem ? (c.chain_id as string) : '';
    shared.set(c.id, { certificateId: c.id, certificatePem: c.pem, privateKeyId: c.private_key_id, privateKeyPem, chainId, chainPem, fullchainPem: c.pem + chainPem });
  }
  for (const row of rows) {
    const cert = shared.get(row.certificate_id);
    if (cert) served.set(row.domain_name, cert);
  }
}

/**
 * What nginx gets for each domain, as config.json serves it: the latest multi, else the latest
 * single (lua-resty-peter_sslers' order), with the selected chain; null for an unknown or inactive
 * domain, one with no certificate, or one whose key is not readable (shredded). One query, then
 * the chains and the vault: the projection's batches wait for this between an append and Redis.
 */
export async function servedCertificates(deps: ServedDeps, domainNames: readonly string[]): Promise<Map<string, PrimeCertificate | null>> {
  const served = new Map<string, PrimeCertificate | null>(domainNames.map((name) => [name, null]));
  if (domainNames.length === 0) return served;
  const rows = await certificatesWithChain(deps.db)
    .innerJoin('domains as d', (j) => j.on('c.id', '=', latest))
    .select('d.domain_name')
    .where('d.domain_name', 'in', [...new Set(domainNames)])
    .where('d.is_active', '=', true)
    .execute();
  const certificates = new Map(rows.map((r) => [r.id, r]));
  await withPems(deps, [...certificates.values()], rows.map((r) => ({ domain_name: r.domain_name, certificate_id: r.id })), served);
  return served;
}

/**
 * servedCertificates for the next `limit` domains of the catalog after `after` (by name): what
 * the full prime walks. `names` is the whole page, inactive domains and those serving nothing too.
 */
export async function servedPage(deps: ServedDeps, after: string, limit: number): Promise<{ names: string[]; served: Map<string, PrimeCertificate | null> }> {
  const page = await deps.db
    .selectFrom('domains as d')
    .select(['d.domain_name', 'd.is_active', latest.as('certificate_id')])
    .where('d.domain_name', '>', after)
    .orderBy('d.domain_name')
    .limit(limit)
    .execute();
  const names = page.map((row) => row.domain_name);
  const served = new Map<string, PrimeCertificate | null>(names.map((name) => [name, null]));
  const rows = page.flatMap((r) => (r.is_active && r.certificate_id ? [{ domain_name: r.domain_name, certificate_id: r.certificate_id }] : []));
  // Certificates by id, a page's worth at a time: no join per domain, and no plan that hangs on
  // table statistics (a join of the page started a parallel worker per page on a fresh database).
  const certificates = rows.length === 0 ? [] : await certificatesWithChain(deps.db).where('c.id', 'in', [...new Set(rows.map((r) => r.certificate_id))]).execute();
  await withPems(deps, certificates, rows, served);
  return { names, served };
}
