/**
 * ARI (RFC 9773) and ACME profiles over the admin API: the profiles a server offers, a
 * certificate's renewal information, and a poll on demand.
 */
import { Router } from 'express';
import { offeredProfiles } from '../../commands/acme-order/profiles.js';
import { loadAcmeServer } from '../../commands/acme-server/load.js';
import { ariTargetOf, pollRenewalInfo } from '../../commands/renewal/ari/poll-renewal-info.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { pathId } from './acme-accounts.routes.js';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function ariRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/acme-servers/:id/profiles', async (req, res) => {
    const id = pathId(req.params.id, 'ACME server');
    await loadAcmeServer(deps.store, id);
    const items = await offeredProfiles(deps, id);
    res.json({ items, total: items.length });
  });

  const renewalInfo = async (certificateId: string) => {
    const row = await deps.db.selectFrom('ari_renewal_info').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst();
    if (!row) throw new NotFoundError(`no renewal information for certificate ${certificateId} yet`);
    return {
      certificate_id: row.certificate_id,
      acme_server_id: row.acme_server_id,
      ari_identifier: row.ari_identifier,
      suggested_window: row.window_start === null ? null : { start: iso(row.window_start), end: iso(row.window_end) },
      chosen_renewal_time: iso(row.chosen_renewal_time),
      explanation_url: row.explanation_url,
      next_poll_at: iso(row.next_poll_at),
      last_retry_after: row.last_retry_after,
      consecutive_failures: row.consecutive_failures,
      last_failure: row.last_failure,
      fetched_at: iso(row.fetched_at),
    };
  };

  router.get('/certificates/:id/renewal-info', async (req, res) => {
    res.json(await renewalInfo(pathId(req.params.id, 'certificate')));
  });

  router.post('/certificates/:id/renewal-info/poll', async (req, res) => {
    const id = pathId(req.params.id, 'certificate');
    const outcome = await pollRenewalInfo(deps, await ariTargetOf(deps, id), { actor: 'api' });
    if (outcome.position !== null) await deps.projections.waitFor(outcome.position);
    res.json({ result: outcome.ok ? 'success' : 'error', renewal_info: await renewalInfo(id) });
  });

  return router;
}
