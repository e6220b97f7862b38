import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { isId, type CertificateRecord, type DomainRecord } from './certificates.js';

/** A certificate a domain points at, with whether its key is live in the vault (not shredded). */
export type ServedRecord = CertificateRecord & { keyLive: boolean };

export type DomainServed = { domain: DomainRecord; single: ServedRecord | null; multi: ServedRecord | null };

// The hot path of nginx's lookup: domain, both latest certificates, their selected chains and key
// states in one round trip, written once as SQL (no per-request query building). The same joins
// as findDomain + findCertificateRecord, so both answer alike. Each certificate is a LATERAL
// subquery: one flat 9-table join cost PostgreSQL ~3x more (its planner searches join orders).
/** The certificate `d.<column>` names, as `<p>`: c (certificate), ch (its selected chain), k (its key's vault entry); `select` picks from them. */
export const servedJoin = (p: string, column: string, select: string) => `left join lateral (
    select ${select}
    from certificates c
    left join certificate_chains cc on cc.certificate_id = c.id and cc.is_selected
    left join ca_chains ch on ch.id = cc.ca_chain_id
    left join key_vault k on k.private_key_id = c.private_key_id
    where c.id = d.${column} limit 1) ${p} on true`;
export const KEY_LIVE = '(k.shredded_at is null and k.wrapped_data_key is not null) as key_live';
const served = (p: string, column: string) =>
  servedJoin(p, column, `c.id, c.pem, c.private_key_id as key_id, ch.id as chain_id, ch.pem as chain_pem, ${KEY_LIVE}`);
const columns = (p: string) =>
  `${p}.id as ${p}_id, ${p}.pem as ${p}_pem, ${p}.key_id as ${p}_key_id, ${p}.chain_id as ${p}_chain_id, ${p}.chain_pem as ${p}_chain_pem, ${p}.key_live as ${p}_key_live`;
const query = (where: string) => `select d.id, d.domain_name, d.certificate_latest_single_id, d.certificate_latest_multi_id, d.is_active,
  ${columns('s')}, ${columns('m')}
  from domains d ${served('s', 'certificate_latest_single_id')} ${served('m', 'certificate_latest_multi_id')}
  where d.${where} = $1`;
const BY_NAME = query('domain_name');
const BY_ID = query('id');

type Part = { id: string | null; pem: string | null; key_id: string | null; chain_id: string | null; chain_pem: string | null; key_live: boolean | null };
type Row = {
  id: string;
  domain_name: string;
  certificate_latest_single_id: string | null;
  certificate_latest_multi_id: string | null;
  is_active: boolean;
} & { [K in keyof Part as `s_${K}` | `m_${K}`]: Part[K] };

const record = (id: string | null, part: Part): ServedRecord | null =>
  id === null || part.id === null || part.pem === null || part.key_id === null
    ? null
    : {
      id: part.id,
      pem: part.pem,
      privateKeyId: part.key_id,
      chain: part.chain_id && part.chain_pem ? { id: part.chain_id, pem: part.chain_pem } : null,
      keyLive: part.key_live === true,
    };

const part = (row: Row, p: 's' | 'm'): Part => ({
  id: row[`${p}_id`], pem: row[`${p}_pem`], key_id: row[`${p}_key_id`], chain_id: row[`${p}_chain_id`], chain_pem: row[`${p}_chain_pem`], key_live: row[`${p}_key_live`],
});

/** The domain by name (normalised) or id, with the certificates it points at; null when unknown. */
export async function findDomainServed(db: Kysely<Database>, nameOrId: string): Promise<DomainServed | null> {
  const byId = isId(nameOrId);
  const result = await db.executeQuery<Row>(CompiledQuery.raw(byId ? BY_ID : BY_NAME, [byId ? nameOrId.toLowerCase() : nameOrId]));
  const row = result.rows[0];
  if (!row) return null;
  return {
    domain: {
      id: row.id,
      domainName: row.domain_name,
      latestSingleId: row.certificate_latest_single_id,
      latestMultiId: row.certificate_latest_multi_id,
      isActive: row.is_active,
    },
    single: record(row.certificate_latest_single_id, part(row, 's')),
    multi: record(row.certificate_latest_multi_id, part(row, 'm')),
  };
}
