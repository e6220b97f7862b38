import express, { Router } from 'express';
import { z } from 'zod';
import { expireNginxDomains } from '../../commands/nginx-cache/expire-domains.js';
import type { NginxCacheDeps } from '../../commands/nginx-cache/deps.js';
import { flushNginxCache } from '../../commands/nginx-cache/flush-all.js';
import { nginxCacheStatus } from '../../commands/nginx-cache/status.js';
import { UnavailableError } from '../../domain/shared/errors.js';
import type { NginxFanOut } from '../../infra/nginx/port.js';
import type { AppDeps } from '../app-deps.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';

export class NginxNotEnabledError extends UnavailableError {
  constructor() {
    super('nginx is not enabled (set CERTLEDGER_NGINX_SERVERS)');
  }
}

/** The command deps, or NginxNotEnabledError when no server is configured. */
export function nginxDeps(deps: AppDeps): NginxCacheDeps {
  if (!deps.nginx) throw new NginxNotEnabledError();
  return { store: deps.store, nginx: deps.nginx, now: deps.now };
}

// A DNS name as nginx sees it in SNI (no wildcard: nginx expires exact names).
const domainName = z.string({ error: 'must be a domain name' }).trim().toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a domain name');
const expireBody = z.strictObject({
  domain_names: z.array(domainName, { error: 'is required: a list of domain names' }).min(1, 'needs at least one domain name').max(1000, 'takes at most 1000 names'),
});

const servers = (fanOut: NginxFanOut) => fanOut.servers.map((s) => ({
  server: s.server,
  ok: s.ok,
  ...(s.status === undefined ? {} : { status: s.status }),
  ...(s.error === undefined ? {} : { error: s.error }),
  elapsed_ms: s.elapsedMs,
  ...(s.domains ? { domains: s.domains.map((d) => ({ domain_name: d.domainName, ok: d.ok, ...(d.error === undefined ? {} : { error: d.error }) })) } : {}),
  ...(s.body === undefined ? {} : { answer: s.body }),
}));

/** Native API: flush every server's cache, expire names, read every server's status (not recorded). */
export function nginxRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/nginx/cache-flush', async (_req, res) => {
    const recorded = await flushNginxCache(nginxDeps(deps), { trigger: 'operator' }, { actor: 'api' });
    res.json({ event_id: recorded.eventId, success: recorded.fanOut.success, errors: recorded.fanOut.errors, servers: servers(recorded.fanOut) });
  });
  router.post('/nginx/expire', express.json({ limit: '256kb' }), async (req, res) => {
    const commandDeps = nginxDeps(deps);
    const body = parseOrThrow(expireBody, req.body ?? {});
    const recorded = await expireNginxDomains(commandDeps, body.domain_names, { trigger: 'operator' }, { actor: 'api' });
    res.json({ event_id: recorded.eventId, success: recorded.fanOut.success, errors: recorded.fanOut.errors, servers: servers(recorded.fanOut) });
  });
  router.get('/nginx/status', async (_req, res) => {
    const fanOut = await nginxCacheStatus(nginxDeps(deps));
    res.json({ success: fanOut.success, errors: fanOut.errors, servers: servers(fanOut) });
  });
  return router;
}
