import { Router } from 'express';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';
import type { AppDeps } from '../app-deps.js';
import { findCertificateSummary, isId } from '../queries/certificates.js';
import { countRows, listDomains } from '../queries/lists.js';
import { findDomain } from '../queries/certificates.js';
import { listQuery, parseOrThrow } from '../schemas/certificate.schema.js';

export function domainRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/domains', async (req, res) => {
    const q = parseOrThrow(listQuery, req.query);
    res.json({ items: await listDomains(deps.db, q), total: await countRows(deps.db, 'domains'), limit: q.limit, offset: q.offset });
  });

  router.get('/domains/:key', async (req, res) => {
    let key: string;
    try {
      key = isId(req.params.key) ? req.params.key : normaliseDomainName(req.params.key);
    } catch {
      throw new ValidationError({ domain: `"${req.params.key}" is not a valid domain name` });
    }
    const domain = await findDomain(deps.db, key);
    if (!domain) throw new NotFoundError('Domain not found');
    const [single, multi] = await Promise.all([
      domain.latestSingleId ? findCertificateSummary(deps.db, domain.latestSingleId) : null,
      domain.latestMultiId ? findCertificateSummary(deps.db, domain.latestMultiId) : null,
    ]);
    res.json({ domain: { id: domain.id, domain_name: domain.domainName }, certificate_latest_single: single, certificate_latest_multi: multi });
  });

  return router;
}
