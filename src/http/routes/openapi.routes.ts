import { Router } from 'express';
import { openApiDocument } from '../openapi/document.js';

/** GET /api/v1/openapi.json: the native API's OpenAPI 3.1 document (built once per process, on first request). */
export function openApiRoutes(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  return router;
}
