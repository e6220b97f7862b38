import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';

/** ACME servers and accounts on the peter_sslers paths. */
export function peterSslersAcmeAccountsRoutes(_deps: AppDeps): Router {
  return Router();
}
