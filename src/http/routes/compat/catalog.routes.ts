import { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError, ValidationError } from '../../../domain/shared/errors.js';
import { normaliseDomainName } from '../../../infra/x509/domain-names.js';
import type { AppDeps } from '../../app-deps.js';
import {
  isCaCertificateDownload,
  isCaChainDownload,
  isPrivateKeyDownload,
  isViaChainDownload,
  sendCaCertificateDownload,
  sendCaChainDownload,
  sendPrivateKeyDownload,
  sendViaChainDownload,
} from '../../downloads.js';
import { caCertificatesOf, findCaCertificateRow, findCaChainRow } from '../../queries/ca-catalog.js';
import { findCertificateRecord, isId } from '../../queries/certificates.js';
import { certificatePayload } from '../../queries/config-payload.js';
import { findDomainItem } from '../../queries/domain-list.js';
import { findPrivateKey, findUniqueFqdnSet } from '../../queries/key-catalog.js';
import { parsedCaCertificate, parsedCertificate, parsedPrivateKey } from '../../queries/parse-payload.js';
import {
  caCertificateJson,
  caChainJson,
  certificateSignedJsons,
  domainJson,
  PETER_SSLERS_PAGE_SIZE,
  privateKeyJson,
  uniqueFqdnSetJson,
} from '../../queries/peter-sslers-json.js';
import * as pages from '../../queries/peter-sslers-lists.js';
import type { CertificateFilters } from '../../queries/certificate-list.js';
import { compatQuery, pageNumber } from '../../schemas/catalog.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';

type Loader = (req: Request, page: number) => Promise<pages.CompatPage>;

const found = <T>(value: T | null | undefined, what: string): T => {
  if (value === null || value === undefined) throw new NotFoundError(`${what} not found`);
  return value;
};

/** The facets of /certificate-signeds/{facet}.json (views_admin/certificate_signed.py). */
const certificateFacets: Record<string, (days: number) => CertificateFilters> = {
  all: () => ({}),
  active: () => ({ active: true }),
  'active-expired': () => ({ active: true, expired: true }),
  expiring: (days) => ({ active: true, expiring_within_days: days }),
  inactive: () => ({ active: false }),
  'inactive-unexpired': () => ({ active: false, expired: false }),
};

/**
 * `{path}.json` and `{path}/{page}.json`, as peter_sslers pages them: page 0 redirects to 1, a page
 * past the last to the last (302, like its HTTPFound); anything but digits is not this route.
 */
function paginated(router: Router, path: string, load: Loader): void {
  const answer = async (req: Request, res: Response, page: number) => {
    const result = await load(req, Math.max(page, 1));
    const last = Math.ceil(result.total / PETER_SSLERS_PAGE_SIZE);
    const target = page === 0 ? 1 : last > 0 && page > last ? last : null;
    if (target !== null) {
      res.redirect(302, req.originalUrl.replace(/\/\d+\.json(\?.*)?$/, `/${target}.json$1`));
      return;
    }
    res.json(result.body);
  };
  router.get(`${path}.json`, (req, res) => answer(req, res, 1));
  const byPage: RequestHandler = async (req, res, next) => {
    const page = String(req.params.page);
    if (!pageNumber.test(page)) return next();
    await answer(req, res, Number(page));
  };
  router.get(`${path}/:page.json`, byPage);
}

/** Catalog queries, parse.json and downloads on the peter_sslers paths. */
export function peterSslersCatalogRoutes(deps: AppDeps): Router {
  const router = Router();
  const days = (req: Request) => parseOrThrow(compatQuery, req.query).expiring_days;
  const domainOf = async (key: string) => {
    let name: string | undefined;
    if (!isId(key)) {
      try {
        name = normaliseDomainName(key);
      } catch {
        throw new ValidationError({ domain: `"${key.slice(0, 80)}" is not a valid domain name` });
      }
    }
    return found(await findDomainItem(deps.db, name === undefined ? { id: key.toLowerCase() } : { name }, deps.now()), 'Domain');
  };

  paginated(router, '/domains', (_req, page) => pages.domainsPage(deps, page, {}));
  paginated(router, '/domains/expiring', (req, page) => pages.domainsPage(deps, page, { expiring_within_days: days(req) }));
  router.get('/domain/:key.json', async (req, res) => {
    res.json({ Domain: domainJson(await domainOf(req.params.key), deps.now()) });
  });
  for (const [facet, single] of [['all', undefined], ['single', true], ['multi', false]] as const) {
    paginated(router, `/domain/:key/certificate-signeds/${facet}`, async (req, page) => {
      const domain = await domainOf(String(req.params.key));
      const result = await pages.certificatesPage(deps, page, { domain: domain.domain_name, single_domain: single }, true);
      return { total: result.total, body: { Domain: domainJson(domain, deps.now()), ...result.body } };
    });
  }

  router.get('/certificate-signeds.json', (_req, res) => res.redirect(303, `${deps.adminPrefix}/certificate-signeds/active.json`));
  for (const [facet, filters] of Object.entries(certificateFacets)) {
    paginated(router, `/certificate-signeds/${facet}`, (req, page) => pages.certificatesPage(deps, page, filters(days(req))));
  }
  router.get('/certificate-signed/:id.json', async (req, res, next) => {
    if (!isId(req.params.id)) return next();
    const json = await certificateSignedJsons(deps.db, [req.params.id.toLowerCase()]);
    res.json({ CertificateSigned: found(Object.values(json)[0], 'Certificate') });
  });
  router.get('/certificate-signed/:id/parse.json', async (req, res) => {
    res.json({ CertificateSigned: found(await parsedCertificate(deps, req.params.id), 'Certificate') });
  });
  // peter_sslers names it via-certificate-ca-chain; via-chain is the shorter alias the issue uses.
  for (const via of ['via-certificate-ca-chain', 'via-chain']) {
    router.get(`/certificate-signed/:id/${via}/:chainId/config.json`, async (req, res) => {
      const record = found(await findCertificateRecord(deps.db, req.params.id, { caChainId: req.params.chainId }), 'Certificate with that chain');
      res.json(await certificatePayload(deps, record, Boolean(req.query.idonly)));
    });
    router.get(`/certificate-signed/:id/${via}/:chainId/:file`, async (req, res, next) => {
      if (!isViaChainDownload(req.params.file)) return next();
      await sendViaChainDownload(deps, res, req.params.id, req.params.chainId, req.params.file);
    });
  }

  paginated(router, '/certificate-cas', (_req, page) => pages.caCertificatesPage(deps, page));
  const caOf = async (id: string) => found(await findCaCertificateRow(deps.db, id), 'CA certificate');
  router.get('/certificate-ca/:id.json', async (req, res, next) => {
    if (!isId(req.params.id)) return next();
    res.json({ CertificateCA: caCertificateJson(await caOf(req.params.id)) });
  });
  router.get('/certificate-ca/:id/parse.json', async (req, res) => {
    res.json({ CertificateCA: found(await parsedCaCertificate(deps, req.params.id), 'CA certificate') });
  });
  paginated(router, '/certificate-ca/:id/certificate-signeds', async (req, page) => {
    const ca = await caOf(String(req.params.id));
    const result = await pages.certificatesPage(deps, page, { ca_certificate_id: ca.id }, true);
    return { total: result.total, body: { CertificateCA: caCertificateJson(ca), ...result.body } };
  });
  paginated(router, '/certificate-ca/:id/certificate-ca-chains-0', async (req, page) =>
    pages.caChainsPage(deps, page, { ca: await caOf(String(req.params.id)), position: 0 }));
  paginated(router, '/certificate-ca/:id/certificate-ca-chains-n', async (req, page) =>
    pages.caChainsPage(deps, page, { ca: await caOf(String(req.params.id)), position: 'last' }));
  router.get('/certificate-ca/:id/:file', async (req, res, next) => {
    if (!isCaCertificateDownload(req.params.file)) return next();
    await sendCaCertificateDownload(deps, res, req.params.id, req.params.file);
  });

  paginated(router, '/certificate-ca-chains', (_req, page) => pages.caChainsPage(deps, page));
  router.get('/certificate-ca-chain/:id.json', async (req, res, next) => {
    if (!isId(req.params.id)) return next();
    const chain = found(await findCaChainRow(deps.db, req.params.id), 'CA chain');
    res.json({ CertificateCAChain: caChainJson(chain, await caCertificatesOf(deps.db, chain)) });
  });
  router.get('/certificate-ca-chain/:id/:file', async (req, res, next) => {
    if (!isCaChainDownload(req.params.file)) return next();
    await sendCaChainDownload(deps, res, req.params.id, req.params.file);
  });

  paginated(router, '/private-keys', (_req, page) => pages.privateKeysPage(deps, page));
  router.get('/private-key/:id.json', async (req, res, next) => {
    if (!isId(req.params.id)) return next();
    const key = found(await findPrivateKey(deps.db, req.params.id), 'Private key');
    const url = `${deps.adminPrefix}/private-key/${key.id}`;
    res.json({ PrivateKey: privateKeyJson(key), raw: { 'pem.txt': `${url}/key.pem.txt`, pem: `${url}/key.pem`, der: `${url}/key.key` } });
  });
  router.get('/private-key/:id/parse.json', async (req, res) => {
    const parsed = found(await parsedPrivateKey(deps, req.params.id), 'Private key');
    res.json({ [parsed.id]: parsed.parsed });
  });
  paginated(router, '/private-key/:id/certificate-signeds', async (req, page) => {
    const key = found(await findPrivateKey(deps.db, String(req.params.id)), 'Private key');
    const result = await pages.certificatesPage(deps, page, { private_key_id: key.id }, true);
    return { total: result.total, body: { PrivateKey: privateKeyJson(key), ...result.body } };
  });
  router.get('/private-key/:id/:file', async (req, res, next) => {
    if (!isPrivateKeyDownload(req.params.file)) return next();
    await sendPrivateKeyDownload(deps, res, req.params.id, req.params.file);
  });

  paginated(router, '/unique-fqdn-sets', (_req, page) => pages.uniqueFqdnSetsPage(deps, page));
  router.get('/unique-fqdn-set/:id.json', async (req, res, next) => {
    if (!isId(req.params.id)) return next();
    res.json({ UniqueFQDNSet: uniqueFqdnSetJson(found(await findUniqueFqdnSet(deps.db, req.params.id), 'Unique FQDN set')) });
  });
  paginated(router, '/unique-fqdn-set/:id/certificate-signeds', async (req, page) => {
    const set = found(await findUniqueFqdnSet(deps.db, String(req.params.id)), 'Unique FQDN set');
    const result = await pages.certificatesPage(deps, page, { unique_fqdn_set_id: set.id }, true);
    return { total: result.total, body: { UniqueFQDNSet: uniqueFqdnSetJson(set), ...result.body } };
  });

  return router;
}
