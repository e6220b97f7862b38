import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { KEY_LIVE, servedJoin } from '../queries/domain-served.js';

/** What the index keeps of one certificate a domain points at: ids and key liveness, no PEM. */
export type CertificateRow = { id: string; keyId: string; chainId: string; keyLive: boolean };

export type DomainRow = { id: string; name: string; active: boolean; single: CertificateRow | null; multi: CertificateRow | null };

// The same joins (servedJoin) and null rules as queries/domain-served.ts, so both paths answer alike, without
// the PEMs: 100,000 domains point at far fewer certificates, whose PEMs live in the fragment cache.
// A chain with an empty PEM counts as no chain there, so its id is dropped here too.
const served = (p: string, column: string) =>
  servedJoin(p, column, `c.id, c.private_key_id as key_id, case when ch.pem <> '' then ch.id end as chain_id, ${KEY_LIVE}`);
const SELECT = `select d.id, d.domain_name, d.is_active,
  s.id as s_id, s.key_id as s_key_id, s.chain_id as s_chain_id, s.key_live as s_key_live,
  m.id as m_id, m.key_id as m_key_id, m.chain_id as m_chain_id, m.key_live as m_key_live
  from domains d ${served('s', 'certificate_latest_single_id')} ${served('m', 'certificate_latest_multi_id')}`;

type Row = {
  id: string; domain_name: string; is_active: boolean;
  s_id: string | null; s_key_id: string | null; s_chain_id: string | null; s_key_live: boolean | null;
  m_id: string | null; m_key_id: string | null; m_chain_id: string | null; m_key_live: boolean | null;
};

const certificate = (id: string | null, keyId: string | null, chainId: string | null, keyLive: boolean | null): CertificateRow | null =>
  id === null || keyId === null ? null : { id, keyId, chainId: chainId ?? '', keyLive: keyLive === true };

const toDomain = (r: Row): DomainRow => ({
  id: r.id,
  name: r.domain_name,
  active: r.is_active,
  single: certificate(r.s_id, r.s_key_id, r.s_chain_id, r.s_key_live),
  multi: certificate(r.m_id, r.m_key_id, r.m_chain_id, r.m_key_live),
});

/** One page of every domain in id order (keyset: after the last id of the previous page). */
export async function domainPage(db: Kysely<Database>, afterId: string, limit: number): Promise<DomainRow[]> {
  const result = await db.executeQuery<Row>(CompiledQuery.raw(`${SELECT} where d.id > $1 order by d.id limit $2`, [afterId, limit]));
  return result.rows.map(toDomain);
}

/** The named domains (unknown names are left out). */
export async function domainsNamed(db: Kysely<Database>, names: readonly string[]): Promise<DomainRow[]> {
  if (names.length === 0) return [];
  const params = names.map((_, i) => `$${i + 1}`).join(', ');
  const result = await db.executeQuery<Row>(CompiledQuery.raw(`${SELECT} where d.domain_name in (${params})`, [...names]));
  return result.rows.map(toDomain);
}

/** A certificate's PEM and its chain's (id and PEM never change together with anything else: both are content). */
export async function certificatePems(db: Kysely<Database>, certificateId: string, chainId: string): Promise<{ pem: string; chainPem: string } | null> {
  const result = await db.executeQuery<{ pem: string; chain_pem: string | null }>(CompiledQuery.raw(
    'select c.pem, ch.pem as chain_pem from certificates c left join ca_chains ch on ch.id = $2 where c.id = $1',
    [certificateId, chainId === '' ? null : chainId],
  ));
  const row = result.rows[0];
  if (!row || (chainId !== '' && !row.chain_pem)) return null;
  return { pem: row.pem, chainPem: row.chain_pem ?? '' };
}
