import { sql, type Kysely } from 'kysely';
import { assessExpiry, expiryAlertDecider } from '../../domain/expiry-alert/decider.js';
import type { ExpiryRisk } from '../../domain/expiry-alert/events.js';
import { expiryAlertStreams } from '../../domain/shared/ids.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type AtRisk = {
  certificateId: string;
  domainNames: string[];
  notAfter: Date;
  risk: ExpiryRisk;
  level: number;
  renewalConfigurationId: string | null;
};

type Row = { id: string; domain_names: string[] | string; not_after: Date; configuration_id: string | null; failing: boolean | null };

/** The widest window any risk alerts in (no renewal at all: 30 days). */
const LOOK_AHEAD_DAYS = 30;

/**
 * Served certificates (the latest of an active domain) that may expire before a renewal replaces
 * them: read from the catalog and the renewal configurations, decided by `assessExpiry`.
 */
export async function certificatesAtRisk(db: Kysely<Database>, now: Date): Promise<AtRisk[]> {
  const horizon = new Date(now.getTime() + LOOK_AHEAD_DAYS * 86_400_000);
  const { rows } = await sql<Row>`
    SELECT c.id, s.domain_names, c.not_after, rc.id AS configuration_id, rc.consecutive_failures > 0 AS failing
      FROM certificates c
      JOIN unique_fqdn_sets s ON s.id = c.unique_fqdn_set_id
      LEFT JOIN LATERAL (
        SELECT r.id, r.consecutive_failures FROM renewal_configurations r
         WHERE r.is_active AND r.is_auto_renew AND (r.latest_certificate_id = c.id OR r.unique_fqdn_set_id = c.unique_fqdn_set_id)
         ORDER BY r.consecutive_failures, r.id LIMIT 1) rc ON true
     WHERE c.is_active AND c.not_after <= ${horizon}
       AND EXISTS (SELECT 1 FROM domains d WHERE d.is_active AND (d.certificate_latest_single_id = c.id OR d.certificate_latest_multi_id = c.id))
     ORDER BY c.not_after, c.id`.execute(db);
  const found: AtRisk[] = [];
  for (const row of rows) {
    const notAfter = new Date(row.not_after);
    const assessed = assessExpiry(notAfter.getTime(), now.getTime(), { renewalConfigurationId: row.configuration_id, failing: row.failing === true });
    if (!assessed) continue;
    const names = typeof row.domain_names === 'string' ? JSON.parse(row.domain_names) as string[] : row.domain_names;
    found.push({ certificateId: row.id, domainNames: names, notAfter, ...assessed, renewalConfigurationId: row.configuration_id });
  }
  return found;
}

export type ExpiryAlertsResult = { atRisk: AtRisk[]; raised: AtRisk[] };

/** Raises each at-risk certificate's alert level once (its own stream decides), and reports both lists. */
export async function raiseExpiryAlerts(
  deps: { store: EventStore; db: Kysely<Database>; now: () => Date },
  context: CommandContext = {},
): Promise<ExpiryAlertsResult> {
  const now = deps.now();
  const atRisk = await certificatesAtRisk(deps.db, now);
  const raised: AtRisk[] = [];
  for (const alert of atRisk) {
    const handled = await handleCommand(deps.store, expiryAlertStreams.expiryAlert(alert.certificateId), expiryAlertDecider, {
      type: 'RaiseExpiryAlert',
      alert: {
        certificateId: alert.certificateId,
        domainNames: alert.domainNames,
        notAfter: alert.notAfter.toISOString(),
        level: alert.level,
        risk: alert.risk,
        renewalConfigurationId: alert.renewalConfigurationId,
        raisedAt: now.toISOString(),
      },
    }, { actor: 'system', ...context }, { retries: 3 });
    if (handled.events.length > 0) raised.push(alert);
  }
  return { atRisk, raised };
}
