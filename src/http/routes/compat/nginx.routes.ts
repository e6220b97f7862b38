import { Router } from 'express';
import { flushNginxCache } from '../../../commands/nginx-cache/flush-all.js';
import { nginxCacheStatus } from '../../../commands/nginx-cache/status.js';
import type { NginxFanOut, NginxServerResult } from '../../../infra/nginx/port.js';
import type { AppDeps } from '../../app-deps.js';
import { NginxNotEnabledError, nginxDeps } from '../nginx.routes.js';

/**
 * What peter_sslers (lib/utils_nginx.py) puts under `servers[url]`: the server's JSON answer, or
 * `{"status":"error","error":"response","response":{"status_code","text"}}` for another HTTP status,
 * or `{"status":"error","error":"Exception","Exception"}` when no answer came.
 */
function answerOf(result: NginxServerResult): unknown {
  if (result.status === 200 && typeof result.body === 'object' && result.body !== null) return result.body;
  if (result.status !== undefined) {
    const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body ?? '');
    return { status: 'error', error: 'response', response: { status_code: result.status, text } };
  }
  return { status: 'error', error: 'Exception', Exception: result.error ?? 'error' };
}

const serversStatus = (fanOut: NginxFanOut) => ({
  errors: fanOut.errors,
  success: fanOut.success,
  servers: Object.fromEntries(fanOut.servers.map((s) => [s.server, answerOf(s)])),
});

/** peter_sslers' `POST /api/nginx/cache-flush.json` and `GET /api/nginx/status.json`. */
export function peterSslersNginxRoutes(deps: AppDeps): Router {
  const router = Router();
  const notEnabled = (error: unknown): boolean => error instanceof NginxNotEnabledError;
  router.post('/api/nginx/cache-flush.json', async (_req, res) => {
    try {
      const recorded = await flushNginxCache(nginxDeps(deps), { trigger: 'operator' }, { actor: 'api' });
      res.json({ result: 'success', operations_event: { id: recorded.eventId }, servers_status: serversStatus(recorded.fanOut) });
    } catch (error) {
      if (!notEnabled(error)) throw error;
      res.status(400).json({ result: 'error', error: 'nginx is not enabled', code: 'not_enabled', message: 'nginx is not enabled (set CERTLEDGER_NGINX_SERVERS)' });
    }
  });
  router.get('/api/nginx/status.json', async (_req, res) => {
    try {
      res.json({ result: 'success', servers_status: serversStatus(await nginxCacheStatus(nginxDeps(deps))) });
    } catch (error) {
      if (!notEnabled(error)) throw error;
      res.status(400).json({ result: 'error', error: 'nginx is not enabled', code: 'not_enabled', message: 'nginx is not enabled (set CERTLEDGER_NGINX_SERVERS)' });
    }
  });
  return router;
}
