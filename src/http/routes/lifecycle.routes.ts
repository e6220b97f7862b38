import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Lifecycle marks of certificates, domains and private keys: native API (/api/v1). */
export function lifecycleRoutes(_deps: AppDeps): Router {
  return Router();
}
