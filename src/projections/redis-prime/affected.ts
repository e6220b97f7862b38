import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';

/** Events after which a domain may serve another certificate (or none); the rest only move the checkpoint. */
const BY_CERTIFICATE = new Set(['CertificateImported', 'CertificateChainLinked', 'CertificateDeactivated', 'CertificateActivated', 'CertificateRevocationMarked']);
const BY_DOMAIN = new Set(['DomainActivated', 'DomainDeactivated']);
// The policy can change the selected chain of every certificate: i:/f move everywhere.
const EVERY_DOMAIN = new Set(['ChainPreferencePolicySet']);

export const PRIME_EVENT_TYPES: readonly string[] = [...BY_CERTIFICATE, ...BY_DOMAIN, ...EVERY_DOMAIN];

export type Affected = { all: boolean; certificateIds: Set<string>; domainNames: Set<string> };

/** Pure: what a batch touches, before any read. */
export function affectedBy(events: readonly RecordedEvent[]): Affected {
  const affected: Affected = { all: false, certificateIds: new Set(), domainNames: new Set() };
  for (const event of events) {
    if (EVERY_DOMAIN.has(event.type)) affected.all = true;
    else if (BY_CERTIFICATE.has(event.type) && typeof event.data.certificateId === 'string') affected.certificateIds.add(event.data.certificateId);
    else if (BY_DOMAIN.has(event.type) && typeof event.data.domainName === 'string') affected.domainNames.add(event.data.domainName);
  }
  return affected;
}

export const isEmpty = (a: Affected): boolean => !a.all && a.certificateIds.size === 0 && a.domainNames.size === 0;

/**
 * The domain names to rewrite, read from the catalog (which has passed the batch): a certificate
 * touches every domain of its name set — each may now serve it, or move off it to the next best.
 */
export async function affectedDomainNames(db: Kysely<Database>, affected: Affected): Promise<string[]> {
  if (affected.all) {
    const rows = await db.selectFrom('domains').select('domain_name').orderBy('domain_name').execute();
    return rows.map((r) => r.domain_name);
  }
  const names = new Set(affected.domainNames);
  if (affected.certificateIds.size > 0) {
    const rows = await db
      .selectFrom('certificates as c')
      .innerJoin('unique_fqdn_set_domains as s', 's.unique_fqdn_set_id', 'c.unique_fqdn_set_id')
      .innerJoin('domains as d', 'd.id', 's.domain_id')
      .select('d.domain_name')
      .where('c.id', 'in', [...affected.certificateIds])
      .execute();
    for (const row of rows) names.add(row.domain_name);
  }
  return [...names].sort();
}
