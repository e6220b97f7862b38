import { Router } from 'express';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';
import type { AppDeps } from '../app-deps.js';
import { listCertificates } from '../queries/certificate-list.js';
import { findCertificateSummary, findDomain, isId } from '../queries/certificates.js';
import { listDomains } from '../queries/domain-list.js';
import { domainListQuery } from '../schemas/catalog.schema.js';
import { listQuery, parseOrThrow } from '../schemas/certificate.schema.js';

export function domainRoutes(deps: AppDeps): Router {
  const router = Router();

  const domainFor = async (key: string) => {
    let lookup: string;
    try {
      lookup = isId(key) ? key : normaliseDomainName(key);
    } catch {
      throw new ValidationError({ domain: `"${key.slice(0, 80)}" is not a valid domain name` });
    }
    const domain = await findDomain(deps.db, lookup);
    if (!domain) throw new NotFoundError('Domain not found');
    return domain;
  };

  // Filters (domainListQuery): name_prefix, expiring_within_days, without_active_certificate, active.
  router.get('/domains', async (req, res) => {
    const { limit, offset, sort, dir, ...filters } = parseOrThrow(domainListQuery, req.query);
    res.json(await listDomains(deps.db, filters, { limit, offset }, deps.now(), sort ? { by: sort, dir: dir ?? 'asc' } : undefined));
  });

  router.get('/domains/:key', async (req, res) => {
    const domain = await domainFor(req.params.key);
    const [single, multi] = await Promise.all([
      domain.latestSingleId ? findCertificateSummary(deps.db, domain.latestSingleId) : null,
      domain.latestMultiId ? findCertificateSummary(deps.db, domain.latestMultiId) : null,
    ]);
    res.json({ domain: { id: domain.id, domain_name: domain.domainName, is_active: domain.isActive }, certificate_latest_single: single, certificate_latest_multi: multi });
  });

  /** Every certificate naming the domain, with the certificate filters. */
  router.get('/domains/:key/certificates', async (req, res) => {
    const domain = await domainFor(req.params.key);
    const { limit, offset, ...filters } = parseOrThrow(listQuery, req.query);
    res.json(await listCertificates(deps.db, { ...filters, domain: domain.domainName }, { limit, offset }, deps.now()));
  });

  return router;
}
