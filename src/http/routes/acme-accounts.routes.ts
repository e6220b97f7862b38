import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** ACME servers and accounts: native API (/api/v1). */
export function acmeAccountsRoutes(_deps: AppDeps): Router {
  return Router();
}
