import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** CA certificates, chains, reconciliation and the chain preference policy: native API (/api/v1). */
export function caRoutes(_deps: AppDeps): Router {
  return Router();
}
