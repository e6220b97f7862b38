import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** ACME orders, authorizations and challenges: native API (/api/v1). */
export function acmeOrdersRoutes(_deps: AppDeps): Router {
  return Router();
}
