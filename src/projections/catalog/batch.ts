import { sql, type Transaction } from 'kysely';
import type { CertificateActivated, CertificateChainLinked, CertificateDeactivated, CertificateImported, CertificateRevocationMarked } from '../../domain/certificate/events.js';
import type { PrivateKeyImported } from '../../domain/private-key/events.js';
import type { Database } from '../../infra/db/schema.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { ids } from '../../infra/ids.js';
import { updateRecents } from '../recents.js';
import { certificateFactColumns } from './certificate-columns.js';
import { reselectChains } from './chain-preference.handlers.js';
import { insertJsonRows } from './json-rows.js';
import type { CatalogHandler } from './handler.js';

type Mark = { isActive: boolean; revoked: boolean; reason: string | null; at: string };

/**
 * The frequent catalog events of a run, held back and written together: inserts first (each
 * table's first row wins, as DO NOTHING one by one), then the certificate marks (last mark wins,
 * a revocation sticks), then the recents of every domain touched and the chain selection of every
 * certificate linked, once each. That equals applying the events one by one because every later
 * event that changes what a recent or a selection reads touches that same domain or certificate,
 * and everything else (CA certificates, chains, the chain policy, domain and key marks) is a
 * flush point applied alone, in order.
 */
class Pending {
  privateKeys = new Map<string, Record<string, unknown>>();
  certificates = new Map<string, Record<string, unknown>>();
  sets = new Map<string, Record<string, unknown>>();
  domains = new Map<string, { id: string; domain_name: string; created_at: string }>();
  setDomains = new Map<string, { unique_fqdn_set_id: string; domain_id: string }>();
  links = new Map<string, { certificate_id: string; ca_chain_id: string; is_default: boolean; created_at: string }>();
  marks = new Map<string, Mark>();
  recents = new Set<string>();
  size = 0;

  /** False in a rebuild's replay: every domain's recents are computed once at its end (updateAllRecents). */
  constructor(private readonly recentsNow: boolean) {}

  /** False: the event must wait for what is pending to be written first. */
  add(event: RecordedEvent): boolean {
    switch (event.type) {
      case 'PrivateKeyImported': {
        const d = event.data as PrivateKeyImported['data'];
        if (!this.privateKeys.has(d.privateKeyId)) {
          this.privateKeys.set(d.privateKeyId, { id: d.privateKeyId, key_technology: d.keyTechnology, spki_sha256: d.spkiSha256, source: d.source, created_at: d.importedAt });
        }
        break;
      }
      case 'CertificateImported': {
        const d = event.data as CertificateImported['data'];
        // A mark written before its certificate's row found nothing to update: keep that order.
        if (this.marks.has(d.certificateId)) return false;
        this.importCertificate(d);
        break;
      }
      case 'CertificateChainLinked': {
        const d = event.data as CertificateChainLinked['data'];
        const key = `${d.certificateId} ${d.caChainId}`;
        const first = this.links.get(key);
        this.links.set(key, { certificate_id: d.certificateId, ca_chain_id: d.caChainId, is_default: d.isDefault, created_at: first?.created_at ?? d.linkedAt });
        break;
      }
      case 'CertificateDeactivated': {
        const d = event.data as CertificateDeactivated['data'];
        this.mark(d.certificateId, { isActive: false, revoked: false, reason: d.reason, at: d.deactivatedAt });
        break;
      }
      case 'CertificateActivated': {
        const d = event.data as CertificateActivated['data'];
        this.mark(d.certificateId, { isActive: true, revoked: false, reason: null, at: d.activatedAt });
        break;
      }
      case 'CertificateRevocationMarked': {
        const d = event.data as CertificateRevocationMarked['data'];
        this.mark(d.certificateId, { isActive: false, revoked: true, reason: d.reason, at: d.markedAt });
        break;
      }
      default:
        return false;
    }
    this.size += 1;
    return true;
  }

  private importCertificate(d: CertificateImported['data']): void {
    if (!this.certificates.has(d.certificateId)) {
      this.certificates.set(d.certificateId, {
        id: d.certificateId,
        ...certificateFactColumns(d),
        key_technology: d.keyTechnology,
        private_key_id: d.privateKeyId,
        unique_fqdn_set_id: d.uniqueFqdnSetId,
        domain_count: d.domainNames.length,
        is_active: !d.isExpired,
        is_expired: d.isExpired,
        created_at: d.importedAt,
      });
    }
    if (!this.sets.has(d.uniqueFqdnSetId)) {
      this.sets.set(d.uniqueFqdnSetId, { id: d.uniqueFqdnSetId, domain_names: d.domainNames, domain_count: d.domainNames.length, created_at: d.importedAt });
    }
    for (const name of d.domainNames) {
      const id = ids.domain(name);
      if (!this.domains.has(name)) this.domains.set(name, { id, domain_name: name, created_at: d.importedAt });
      this.setDomains.set(`${d.uniqueFqdnSetId} ${id}`, { unique_fqdn_set_id: d.uniqueFqdnSetId, domain_id: id });
      this.recents.add(id);
    }
  }

  private mark(certificateId: string, mark: Mark): void {
    const before = this.marks.get(certificateId);
    this.marks.set(certificateId, { ...mark, revoked: mark.revoked || (before?.revoked ?? false) });
  }

  async write(trx: Transaction<Database>): Promise<void> {
    if (this.size === 0) return;
    await insertJsonRows(trx, 'private_keys', [...this.privateKeys.values()], sql`ON CONFLICT DO NOTHING`);
    await insertJsonRows(trx, 'certificates', [...this.certificates.values()], sql`ON CONFLICT (id) DO NOTHING`);
    await insertJsonRows(trx, 'unique_fqdn_sets', [...this.sets.values()], sql`ON CONFLICT (id) DO NOTHING`);
    await insertJsonRows(trx, 'domains', [...this.domains.values()], sql`ON CONFLICT (domain_name) DO NOTHING`);
    await insertJsonRows(trx, 'unique_fqdn_set_domains', [...this.setDomains.values()], sql`ON CONFLICT (unique_fqdn_set_id, domain_id) DO NOTHING`);
    const links = [...this.links.values()];
    await insertJsonRows(trx, 'certificate_chains', links, sql`ON CONFLICT (certificate_id, ca_chain_id) DO UPDATE SET is_default = excluded.is_default`);
    const marked = await writeMarks(trx, this.marks);
    if (this.recentsNow) await updateRecents(trx, [...this.recents, ...marked]);
    await reselectChains(trx, links.map((l) => l.certificate_id));
  }
}

/** One UPDATE for every marked certificate; returns the domains of those that exist (their recents may move). */
async function writeMarks(trx: Transaction<Database>, marks: ReadonlyMap<string, Mark>): Promise<string[]> {
  if (marks.size === 0) return [];
  const list = [...marks.entries()];
  const { rows } = await sql<{ domain_id: string }>`
    WITH m AS (
      SELECT * FROM unnest(${list.map(([id]) => id)}::text[], ${list.map(([, m]) => m.isActive)}::boolean[], ${list.map(([, m]) => m.revoked)}::boolean[],
                           ${list.map(([, m]) => m.reason)}::text[], ${list.map(([, m]) => m.at)}::timestamptz[]) AS m(id, is_active, revoked, reason, at)
    ), updated AS (
      UPDATE certificates c
         SET is_active = m.is_active,
             is_revoked = c.is_revoked OR m.revoked,
             deactivation_reason = m.reason,
             status_changed_at = m.at
        FROM m
       WHERE c.id = m.id
      RETURNING c.unique_fqdn_set_id
    )
    SELECT DISTINCT s.domain_id FROM unique_fqdn_set_domains s WHERE s.unique_fqdn_set_id IN (SELECT unique_fqdn_set_id FROM updated)`.execute(trx);
  return rows.map((r) => r.domain_id);
}

/**
 * The catalog's batch form: runs of the frequent events held in `Pending` and written together;
 * any other event writes what is pending, then goes through its own handler. `recents: false`
 * (a rebuild's replay) leaves the recents of imports and marks to one updateAllRecents at the end:
 * a domain's recents are a function of its certificates' final rows, and every event that changes
 * those touches the domain, so the last recompute and a recompute of all at the end agree.
 */
export async function applyCatalogBatch(
  trx: Transaction<Database>,
  events: readonly RecordedEvent[],
  handlerOf: (type: string) => CatalogHandler | undefined,
  { recents = true }: { recents?: boolean } = {},
): Promise<void> {
  let pending = new Pending(recents);
  for (const event of events) {
    if (pending.add(event)) continue;
    await pending.write(trx);
    pending = new Pending(recents);
    if (pending.add(event)) continue;
    await handlerOf(event.type)?.(trx, event);
  }
  await pending.write(trx);
}
