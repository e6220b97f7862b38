import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';

/** Lifecycle marks, update-recents and deactivate-expired, on the peter_sslers paths. */
export function peterSslersLifecycleRoutes(_deps: AppDeps): Router {
  return Router();
}
