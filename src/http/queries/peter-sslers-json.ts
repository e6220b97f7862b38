/**
 * The JSON shapes of peter_sslers' `as_json` (model/objects.py) for the objects certledger keeps,
 * so its tools read our lists and focus pages unchanged. Ids are strings; key material never appears.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { keyTechnologyOf } from '../../infra/x509/inspect.js';
import type { CaCertificateRow, CaChainRow } from './ca-catalog.js';
import type { DomainListItem } from './domain-list.js';
import type { privateKeyItem, uniqueFqdnSetItem } from './key-catalog.js';
import { iso } from './lists.js';

const DAY_MS = 86_400_000;
export const PETER_SSLERS_PAGE_SIZE = 50;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** lib/handler.py json_pagination: `page` is pypages' page_num, i.e. the number of pages. */
export function compatPagination(total: number, page: number) {
  const pages = Math.ceil(total / PETER_SSLERS_PAGE_SIZE);
  return { total_items: total, page: pages, page_next: page < pages ? page + 1 : null };
}

/** A list keyed by id, in the list's order (UUID keys keep insertion order in JSON). */
export const keyedById = <T extends { id: string }>(items: readonly T[]): Record<string, T> =>
  Object.fromEntries(items.map((item) => [item.id, item]));

function commonName(dn: string): string {
  return /(?:^|,)CN=((?:\\.|[^,])*)/.exec(dn)?.[1] ?? dn;
}

function keyTechnologyOfPem(pem: string): string | null {
  try {
    return keyTechnologyOf(new X509Certificate(pem).publicKey);
  } catch {
    return null;
  }
}

/** timedelta.days: whole days left, floored (negative once expired). */
const expiringDays = (notAfter: string, now: Date) => Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);

export function domainJson(domain: DomainListItem, now: Date) {
  const recent = (served: DomainListItem['certificate_latest_single']) =>
    served ? { id: served.id, timestamp_not_after: served.not_after, expiring_days: expiringDays(served.not_after!, now), is_active: served.is_active } : {};
  return {
    id: domain.id,
    acme_challenge_domain_name: `_acme-challenge.${domain.domain_name}.`,
    certificate__latest_multi: recent(domain.certificate_latest_multi),
    certificate__latest_single: recent(domain.certificate_latest_single),
    certificate_signeds__single_primary_5: [],
    certificate_signeds__single_backup_5: [],
    domain_name: domain.domain_name,
    is_active: domain.is_active,
  };
}

export function caCertificateJson(row: CaCertificateRow) {
  return {
    id: row.id,
    cert_pem: row.pem,
    cert_pem_md5: md5(row.pem),
    cert_subject: row.subject,
    cert_issuer: row.issuer,
    display_name: commonName(row.subject),
    fingerprint_sha1: row.fingerprint_sha1,
    key_technology: keyTechnologyOfPem(row.pem),
    spki_sha256: row.spki_sha256,
    timestamp_created: iso(row.created_at),
    timestamp_not_after: iso(row.not_after),
    timestamp_not_before: iso(row.not_before),
  };
}

export function caChainJson(row: CaChainRow, cas: CaCertificateRow[]) {
  return {
    id: row.id,
    certificate_ca_ids: row.ca_certificate_ids,
    certificate_cas: cas.map(caCertificateJson),
    chain_pem: row.pem,
    chain_pem_md5: md5(row.pem),
    display_name: cas.map((ca) => commonName(ca.subject)).join(' > '),
    timestamp_created: iso(row.created_at),
  };
}

export function privateKeyJson(key: ReturnType<typeof privateKeyItem>) {
  return {
    id: key.id,
    is_active: !key.is_compromised,
    is_compromised: key.is_compromised,
    key_technology: key.key_technology,
    private_key_source: key.source,
    private_key_type: 'standard',
    spki_sha256: key.spki_sha256,
    timestamp_created: key.created_at,
  };
}

export function uniqueFqdnSetJson(set: ReturnType<typeof uniqueFqdnSetItem>) {
  return { id: set.id, count_domains: set.domain_count, domains_as_list: set.domain_names, timestamp_created: set.created_at };
}

/** CertificateSigned.as_json for these ids, keyed by id in the given order. */
export async function certificateSignedJsons(db: Kysely<Database>, ids: readonly string[]) {
  if (ids.length === 0) return {};
  const [rows, links] = await Promise.all([
    db
      .selectFrom('certificates as c')
      .innerJoin('unique_fqdn_sets as s', 's.id', 'c.unique_fqdn_set_id')
      .leftJoin('private_keys as pk', 'pk.id', 'c.private_key_id')
      .selectAll('c')
      .select(['s.domain_names', 'pk.is_compromised'])
      .where('c.id', 'in', [...ids])
      .execute(),
    db
      .selectFrom('certificate_chains as cc')
      .innerJoin('ca_chains as ch', 'ch.id', 'cc.ca_chain_id')
      .select(['cc.certificate_id', 'cc.ca_chain_id', 'cc.is_selected', 'ch.ca_certificate_ids'])
      .where('cc.certificate_id', 'in', [...ids])
      .orderBy('cc.is_default', 'desc')
      .orderBy('cc.created_at')
      .orderBy('cc.ca_chain_id')
      .execute(),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return Object.fromEntries(
    ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const own = links.filter((l) => l.certificate_id === id);
      return [[id, {
        id,
        certificate_type: 'raw_imported',
        certificate_ca_chain_id__preferred: own.find((l) => l.is_selected)?.ca_chain_id ?? own[0]?.ca_chain_id ?? null,
        certificate_ca_chain_ids: own.map((l) => l.ca_chain_id),
        certificate_ca_ids__upchain: [...new Set(own.map((l) => l.ca_certificate_ids[0]).filter(Boolean))],
        cert_pem: row.pem,
        cert_pem_md5: md5(row.pem),
        cert_subject: row.subject,
        cert_issuer: row.issuer,
        cert_serial: row.serial,
        domains_as_list: row.domain_names,
        duration_hours: Math.floor((row.not_after.getTime() - row.not_before.getTime()) / 3_600_000),
        fingerprint_sha1: row.fingerprint_sha1,
        is_active: row.is_active,
        is_deactivated: !row.is_active,
        is_revoked: row.is_revoked,
        is_compromised_private_key: row.is_compromised === true,
        key_technology: row.key_technology,
        private_key_id: row.private_key_id,
        spki_sha256: row.spki_sha256,
        timestamp_created: iso(row.created_at),
        timestamp_not_after: iso(row.not_after),
        timestamp_not_before: iso(row.not_before),
        unique_fqdn_set_id: row.unique_fqdn_set_id,
      }]];
    }),
  );
}
