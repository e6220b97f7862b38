import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';

/** Catalog queries and downloads on the peter_sslers paths. */
export function peterSslersCatalogRoutes(_deps: AppDeps): Router {
  return Router();
}
