import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Catalog queries (lists, filters, parse.json) and downloads: native API (/api/v1). */
export function catalogRoutes(_deps: AppDeps): Router {
  return Router();
}
