/**
 * The CA section: CA certificates (list, one, upload), CA chains (list, one) and the chain
 * preference policy. Each page calls the query or command its API route calls.
 */
import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { caCertificatePages } from './ca-certificates.js';
import { caChainPages } from './ca-chains.js';
import { chainPreferencePages } from './ca-preference.js';
import { caUploadPages } from './ca-upload.js';

export function caPages(deps: AppDeps): Router {
  const router = Router();
  // The upload form first: `/ca-certificates/upload` is not a CA certificate id.
  router.use(caUploadPages(deps));
  router.use(caCertificatePages(deps));
  router.use(caChainPages(deps));
  router.use(chainPreferencePages(deps));
  return router;
}
