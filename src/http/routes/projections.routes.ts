import { Router } from 'express';
import { catalogProjections } from '../../projections/index.js';
import { resolveRebuild, runRebuilds } from '../../projections/rebuild/run.js';
import type { AppDeps } from '../app-deps.js';
import { rebuildsJson } from '../projections-json.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';
import { rebuildParams } from '../schemas/projections.schema.js';

/**
 * POST /api/v1/projections/{name|all}/rebuild: rebuilds beside the live tables and swaps, while
 * the service keeps serving; answers when done, with the counts and the rate. 404 for an unknown
 * name, 409 while a rebuild of it runs (here or in another process).
 */
export function projectionRebuildRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/projections/:name/rebuild', async (req, res) => {
    const { name } = parseOrThrow(rebuildParams, req.params);
    const rebuildDeps = { ...deps, projections: catalogProjections };
    const names = resolveRebuild(rebuildDeps, name);
    const outcomes = await runRebuilds(rebuildDeps, names);
    deps.logger.info('projections rebuilt', { projections: names.join(','), events: outcomes.reduce((n, o) => n + (o.kind === 'sql' ? o.events : 0), 0) });
    res.json({ result: 'success', ...rebuildsJson(outcomes) });
  });
  return router;
}
