import express, { Router, type Request } from 'express';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';
import type { AppDeps } from '../app-deps.js';
import { certificatesAtRisk, raiseExpiryAlerts, type AtRisk } from '../../commands/maintenance/expiry-alerts.js';
import { markCertificate, markDomain, markKeyCompromised, shredKey, type CertificateAction, type DomainAction } from '../lifecycle-marks.js';
import { runDeactivateExpired, runUpdateRecents } from '../maintenance.js';
import { isId } from '../queries/certificates.js';
import { privateKeyWithCertificates } from '../queries/lifecycle.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';
import { markBody } from '../schemas/lifecycle.schema.js';

/** An id, or a name normalised as config.json does; a malformed name is a 400 naming `domain`. */
export function domainKey(raw: string): string {
  if (isId(raw)) return raw;
  try {
    return normaliseDomainName(raw);
  } catch {
    throw new ValidationError({ domain: `"${raw}" is not a valid domain name` });
  }
}

/** `{"reason"}` (required) and `{"actor"}` (optional, recorded as `api:<actor>`); no body at all still names `reason`. */
const markOf = (req: Request) => {
  const body = parseOrThrow(markBody, req.body ?? {});
  return { reason: body.reason, actor: body.actor ? `api:${body.actor}` : 'api' };
};

const CERTIFICATE_ACTIONS: CertificateAction[] = ['deactivate', 'activate', 'revoke'];
const DOMAIN_ACTIONS: DomainAction[] = ['activate', 'deactivate'];

/** Lifecycle marks of certificates, domains and private keys, and the maintenance runs: native API (/api/v1). */
export function lifecycleRoutes(deps: AppDeps): Router {
  const router = Router();
  const body = express.json({ limit: '16kb' });

  for (const action of CERTIFICATE_ACTIONS) {
    router.post(`/certificates/:id/${action}`, body, async (req, res) => {
      const mark = markOf(req);
      const marked = await markCertificate(deps, req.params.id as string, action, mark);
      res.json({ result: 'success', ...marked });
    });
  }

  for (const action of DOMAIN_ACTIONS) {
    router.post(`/domains/:key/${action}`, body, async (req, res) => {
      const mark = markOf(req);
      res.json({ result: 'success', ...await markDomain(deps, domainKey(req.params.key as string), action, mark) });
    });
  }

  router.post('/private-keys/:id/compromise', body, async (req, res) => {
    const mark = markOf(req);
    res.json({ result: 'success', ...await markKeyCompromised(deps, req.params.id as string, mark) });
  });

  router.post('/private-keys/:id/shred', body, async (req, res) => {
    const mark = markOf(req);
    res.json({ result: 'success', ...await shredKey(deps, req.params.id as string, mark) });
  });

  router.get('/private-keys/:id', async (req, res) => {
    const view = isId(req.params.id) ? await privateKeyWithCertificates(deps.db, req.params.id) : null;
    if (!view) throw new NotFoundError(`private key ${req.params.id} not found`);
    res.json(view);
  });

  router.post('/maintenance/update-recents', async (_req, res) => {
    const { domainsChanged } = await runUpdateRecents(deps);
    res.json({ result: 'success', domains_changed: domainsChanged });
  });

  router.post('/maintenance/deactivate-expired', async (_req, res) => {
    const result = await runDeactivateExpired(deps, 'api');
    res.json({
      result: 'success',
      count: result.deactivatedIds.length,
      certificate_ids: result.deactivatedIds,
      kept_as_latest_ids: result.keptIds,
    });
  });

  router.get('/expiry-alerts', async (_req, res) => {
    const now = deps.now();
    res.json({ items: (await certificatesAtRisk(deps.db, now)).map((a) => atRiskJson(a, now)) });
  });

  router.post('/maintenance/expiry-alerts', async (_req, res) => {
    const now = deps.now();
    const result = await raiseExpiryAlerts({ store: deps.store, db: deps.db, now: () => now }, { actor: 'api' });
    res.json({ result: 'success', raised: result.raised.map((a) => atRiskJson(a, now)), items: result.atRisk.map((a) => atRiskJson(a, now)) });
  });

  return router;
}

const atRiskJson = (a: AtRisk, now: Date) => ({
  certificate_id: a.certificateId,
  domain_names: a.domainNames,
  not_after: a.notAfter.toISOString(),
  days_left: Math.floor((a.notAfter.getTime() - now.getTime()) / 86_400_000),
  risk: a.risk,
  level: a.level,
  renewal_configuration_id: a.renewalConfigurationId,
});
