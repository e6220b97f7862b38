import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';

/** ACME orders on the peter_sslers paths. */
export function peterSslersAcmeOrdersRoutes(_deps: AppDeps): Router {
  return Router();
}
