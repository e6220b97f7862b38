/**
 * Sites: the list, one site, and its actions — deploy, undeploy, backup and restore — through the
 * same schemas and commands as /api/v1/sites. A backup holds the private key, so it is sent as a
 * file to save, never shown in a page.
 */
import { Router, type Request, type Response } from 'express';
import { backUpSite } from '../../../commands/site/backup.js';
import { restoreSite } from '../../../commands/site/restore.js';
import { loadSite } from '../../../commands/site/stream.js';
import { undeploySite } from '../../../commands/site/undeploy.js';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { orderDepsOf } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import { checkedSiteId, deployFromBody, descriptionFrom, descriptionJson } from '../../routes/sites.routes.js';
import { emptyForm, formFailure, formValues, type FormState } from '../forms.js';
import { html } from '../html.js';
import { csrfField, page, type DashboardContext } from '../layout.js';
import { listParams, pageOfParams, searchForm } from '../lists.js';
import { ctxOf, noticeFrom, redirectDone, sendPage } from '../respond.js';
import { accountOptions } from './account-options.js';
import { SITE_NOTICES, siteDetailPage } from './site-detail.js';
import { deployForm, parseDeploy, parseRestore, restoreForm, withoutKeys } from './site-forms.js';
import { listSites } from '../../queries/sites.js';
import { sitesTable } from './site-list.js';

const ACTOR = 'dashboard';

async function sitesPage(deps: AppDeps, ctx: DashboardContext, query: Record<string, unknown>, forms: { deploy: FormState; restore: FormState }) {
  const p = listParams(query, ['site_id'], { sort: 'site_id', dir: 'asc' });
  const [{ rows, total }, accounts] = await Promise.all([
    listSites(deps.db, { host: p.q.toLowerCase() || undefined, dir: p.dir, ...pageOfParams(p) }),
    accountOptions(deps.db, 'As the system policy says'),
  ]);
  const path = `${ctx.base}/sites`;
  return page(ctx, { title: 'Sites', section: 'sites' }, html`
${searchForm(path, p, 'Sites serving the host name')}
${sitesTable(ctx, p, rows, total)}
<h2>Deploy a new site</h2>
${deployForm(`${path}/new`, csrfField(ctx), forms.deploy, accounts, { siteIdField: true, button: 'Deploy' })}
<h2>Restore a site from a backup</h2>
${restoreForm(`${path}/restore`, csrfField(ctx), forms.restore, accounts)}`);
}

export function sitesPages(deps: AppDeps): Router {
  const router = Router();
  const siteDeps = () => orderDepsOf(deps);
  const settle = async (position: bigint | null) => {
    if (position !== null) await deps.projections.waitFor(position);
  };
  const existing = async (id: string) => {
    if ((await loadSite(deps.store, id)).status === 'absent') throw new NotFoundError(`Site ${id} not found`);
  };
  const hrefOf = (res: Response, id: string) => `${ctxOf(res).base}/sites/${encodeURIComponent(id)}`;
  const blank = () => ({ deploy: emptyForm({ tls: 'acme' }), restore: emptyForm() });

  router.get('/sites', async (req, res) => {
    sendPage(res, 200, await sitesPage(deps, ctxOf(res), req.query, blank()));
  });

  /** Deploy from the list (a new id) or from a site's page; a refusal re-renders the form it came from. */
  const deploy = (fromList: boolean) => async (req: Request, res: Response) => {
    const values = formValues(req.body);
    try {
      const id = checkedSiteId(fromList ? values.site_id : req.params.id);
      const outcome = await deployFromBody(siteDeps(), id, parseDeploy(values), ACTOR);
      await settle(outcome.position);
      redirectDone(res, hrefOf(res, id), outcome.tlsFailure ? 'deployed-without-tls' : 'deployed');
    } catch (error) {
      const failed = formFailure(error, req, withoutKeys(values));
      const body = fromList
        ? await sitesPage(deps, ctxOf(res), {}, { ...blank(), deploy: failed.state })
        : await siteDetailPage(deps, ctxOf(res), checkedSiteId(req.params.id), failed.state);
      sendPage(res, failed.status, body);
    }
  };
  router.post('/sites/new', deploy(true));

  router.post('/sites/restore', async (req, res) => {
    const values = formValues(req.body);
    try {
      const body = parseRestore(values);
      const outcome = await restoreSite(siteDeps(), descriptionFrom(body), { accountId: body.acme_account_id, challengeType: body.challenge_type }, { actor: ACTOR });
      await settle(outcome.position);
      redirectDone(res, hrefOf(res, body.site_id), 'restored');
    } catch (error) {
      const failed = formFailure(error, req, withoutKeys(values));
      sendPage(res, failed.status, await sitesPage(deps, ctxOf(res), {}, { ...blank(), restore: failed.state }));
    }
  });

  router.get('/sites/:id', async (req, res) => {
    const notice = noticeFrom(req.query, SITE_NOTICES);
    if (notice && req.query.done === 'deployed-without-tls') notice.kind = 'error';
    sendPage(res, 200, await siteDetailPage(deps, ctxOf(res), checkedSiteId(req.params.id), null, notice));
  });

  router.post('/sites/:id/deploy', deploy(false));

  router.post('/sites/:id/undeploy', async (req, res) => {
    const id = checkedSiteId(req.params.id);
    await existing(id);
    await settle((await undeploySite(siteDeps(), id, {}, { actor: ACTOR })).position);
    redirectDone(res, hrefOf(res, id), 'undeployed');
  });

  router.post('/sites/:id/backup', async (req, res) => {
    const id = checkedSiteId(req.params.id);
    await existing(id);
    const description = descriptionJson(await backUpSite(siteDeps(), id, { actor: ACTOR }));
    res.status(200).type('json').set({ 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="site-${id}-backup.json"` })
      .send(JSON.stringify(description, null, 2));
  });
  return router;
}
