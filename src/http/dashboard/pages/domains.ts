/**
 * Domains: the list (search, status filter, sorts, pages) and one domain with its certificates,
 * history and marks. Reads are the API's queries (GET /api/v1/domains, /domains/{key},
 * /domains/{key}/certificates, /domains/{name}/history); marks are the API's `markDomain` with its
 * `markBody` schema, so an empty reason is refused with the API's words.
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { markDomain, type DomainAction } from '../../lifecycle-marks.js';
import { history } from '../../queries/audit.js';
import { listCertificates } from '../../queries/certificate-list.js';
import { findCertificateSummary, isId } from '../../queries/certificates.js';
import { findDomainItem, listDomains } from '../../queries/domain-list.js';
import { domainKey } from '../../routes/lifecycle.routes.js';
import { domainListQuery } from '../../schemas/catalog.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { historyQuery } from '../../schemas/events.schema.js';
import { markBody } from '../../schemas/lifecycle.schema.js';
import { emptyForm, formFailure, formValues, type FormState } from '../forms.js';
import { page } from '../layout.js';
import { listParams, pageOfParams } from '../lists.js';
import { ctxOf, noticeFrom, redirectDone, sendPage } from '../respond.js';
import { domainDetail, type DomainView } from './domains-detail.js';
import { DOMAIN_SORTS, domainList } from './domains-list.js';

const NOTICES = {
  deactivated: 'Domain deactivated.',
  activated: 'Domain activated.',
  unchanged: 'Nothing changed: the domain already had that mark.',
};

const ACTIONS: DomainAction[] = ['deactivate', 'activate'];

const one = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function domainsPages(deps: AppDeps): Router {
  const router = Router();

  router.get('/domains', async (req, res) => {
    const ctx = ctxOf(res);
    const p = listParams(req.query, DOMAIN_SORTS, { sort: 'name', dir: 'asc' });
    // The status filter is the API's `active` flag, validated by its schema (a bad value is a 400 naming it).
    const activeText = one(req.query.active) ?? '';
    const { active } = parseOrThrow(domainListQuery.pick({ active: true }), { active: activeText || undefined });
    const found = await listDomains(deps.db, { name_contains: p.q || undefined, active }, pageOfParams(p), ctx.now, { by: p.sort as (typeof DOMAIN_SORTS)[number], dir: p.dir });
    sendPage(res, 200, page(ctx, { title: 'Domains', section: 'domains' }, domainList(ctx, p, activeText, found)));
  });

  /** Loads everything the domain page shows; `key` is an id or a name, as in the API. */
  const view = async (req: Request, key: string, now: Date): Promise<DomainView> => {
    const lookup = domainKey(key);
    const domain = await findDomainItem(deps.db, isId(lookup) ? { id: lookup } : { name: lookup }, now);
    if (!domain) throw new NotFoundError('Domain not found');
    const certificateParams = listParams(req.query, ['not_after'], { sort: 'not_after', dir: 'asc' });
    const { after, limit } = parseOrThrow(historyQuery, { after: one(req.query.after) });
    const [single, multi, certificates, events] = await Promise.all([
      domain.certificate_latest_single_id ? findCertificateSummary(deps.db, domain.certificate_latest_single_id) : null,
      domain.certificate_latest_multi_id ? findCertificateSummary(deps.db, domain.certificate_latest_multi_id) : null,
      listCertificates(deps.db, { domain: domain.domain_name }, pageOfParams(certificateParams), now),
      history(deps, 'domain', domain.domain_name, after, limit),
    ]);
    return { domain, single, multi, certificates, certificateParams, events };
  };

  const show = async (req: Request, res: Response, status: number, state: FormState) => {
    const ctx = ctxOf(res);
    const v = await view(req, String(req.params.key), ctx.now);
    sendPage(res, status, page(ctx, {
      title: v.domain.domain_name, section: 'domains', crumbs: [{ href: `${ctx.base}/domains`, label: 'Domains' }], notice: noticeFrom(req.query, NOTICES),
    }, domainDetail(ctx, v, state, one(req.query.after))));
  };

  router.get('/domains/:key', (req, res) => show(req, res, 200, emptyForm()));

  for (const action of ACTIONS) {
    router.post(`/domains/:key/${action}`, async (req, res) => {
      const values = formValues(req.body);
      try {
        const mark = parseOrThrow(markBody, { reason: values.reason });
        const marked = await markDomain(deps, domainKey(String(req.params.key)), action, { reason: mark.reason, actor: 'dashboard' });
        redirectDone(res, `${ctxOf(res).base}/domains/${marked.domain.id}`, marked.changed ? `${action}d` : 'unchanged');
      } catch (error) {
        const failure = formFailure(error, req, values);
        // An unknown domain has no page to show the form on: the router's error page says 404.
        if (failure.status === 404) throw error;
        await show(req, res, failure.status, failure.state);
      }
    });
  }

  return router;
}
