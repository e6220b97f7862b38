import { evolveSite, type SiteState } from '../domain/site/state.js';
import type { SiteEvent } from '../domain/site/events.js';
import type { Projection } from './projection.js';

export const SITE_EVENT_TYPES = [
  'SiteDeployed', 'SiteUndeployed', 'SiteAcmeCertificateAssigned', 'SiteOwnCertificateAssigned', 'SiteCertificateStashed',
  'SiteCertificateUnstashed', 'SiteStashedCertificateDiscarded', 'SiteAcmeIssueStarted', 'SiteServedWithoutTls', 'SiteCertificateRenewed', 'SiteBackedUp',
] as const satisfies readonly SiteEvent['type'][];

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/**
 * The sites read model: each event folded onto the stored row with the domain's own evolve, and
 * the certificates a site serves or keeps stashed (so certificate listings can mark stashed ones).
 * Rows are rewritten whole, so a replay changes nothing.
 */
export const sitesProjection: Projection = {
  name: 'sites',
  version: 1,
  eventTypes: SITE_EVENT_TYPES,
  tables: ['sites', 'site_certificates'],
  async apply(trx, event) {
    const siteEvent = { type: event.type, data: event.data } as unknown as SiteEvent;
    const siteId = siteEvent.data.siteId;
    const row = await trx.selectFrom('sites').selectAll().where('site_id', '=', siteId).executeTakeFirst();
    const before: SiteState = row
      ? {
        status: row.status as 'deployed' | 'undeployed',
        siteId,
        hostNames: row.host_names,
        wish: row.wish as never,
        current: row.current_kind === 'acme'
          ? { kind: 'acme', certificateId: row.current_certificate_id!, notAfter: iso(row.current_not_after)! }
          : row.current_kind === 'own' ? { kind: 'own', certificateId: row.current_certificate_id! } : { kind: row.current_kind as 'none' | 'nothing' },
        stash: row.stash,
        pendingIssue: row.pending_attempt_id ? { attemptId: row.pending_attempt_id, startedAt: iso(row.pending_started_at)! } : null,
      }
      : { status: 'absent' };
    const after = evolveSite(before, siteEvent);
    if (after.status === 'absent') return;
    const current = after.current;
    const values = {
      status: after.status,
      host_names: JSON.stringify(after.hostNames),
      wish: JSON.stringify(after.wish),
      current_kind: current.kind,
      current_certificate_id: current.kind === 'acme' || current.kind === 'own' ? current.certificateId : null,
      current_not_after: current.kind === 'acme' ? current.notAfter : null,
      stash: JSON.stringify(after.stash),
      pending_attempt_id: after.pendingIssue?.attemptId ?? null,
      pending_started_at: after.pendingIssue?.startedAt ?? null,
      updated_at: event.createdAt,
    };
    await trx.insertInto('sites').values({ site_id: siteId, ...values })
      .onConflict((oc) => oc.column('site_id').doUpdateSet(values)).execute();
    await trx.deleteFrom('site_certificates').where('site_id', '=', siteId).execute();
    const certificates = [
      ...(values.current_certificate_id ? [{ site_id: siteId, certificate_id: values.current_certificate_id, role: 'current', not_after: values.current_not_after }] : []),
      ...after.stash.map((c) => ({ site_id: siteId, certificate_id: c.certificateId, role: 'stashed', not_after: c.notAfter })),
    ];
    if (certificates.length > 0) await trx.insertInto('site_certificates').values(certificates).onConflict((oc) => oc.doNothing()).execute();
  },
};
