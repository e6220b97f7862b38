import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';

/** CA certificate and chain uploads and reconciliation, on the peter_sslers paths. */
export function peterSslersCaRoutes(_deps: AppDeps): Router {
  return Router();
}
