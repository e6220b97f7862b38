import { timingSafeEqual, createHash, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../infra/logger.js';
import { runWithRequestContext } from '../infra/request-context.js';

/** Every response names the role that served it, so a mis-routed request is visible at once. */
export const roleHeader = (role: 'admin' | 'public'): RequestHandler => (_req, res, next) => {
  res.setHeader('X-Peter-SSLers', role);
  next();
};

const digest = (value: string) => createHash('sha256').update(value).digest();

export type BearerAuthOptions = {
  /** Paths answered without a token (health probes). */
  open: readonly string[];
  /** Path prefixes answered without a token (the dashboard's sign-in page and its style sheet). */
  openPrefixes?: readonly string[];
  /** The dashboard: its session cookie reads every admin route and changes only the dashboard's own. */
  dashboard?: {
    base: string;
    /** none / valid / forged, from the request's cookie. */
    session: (req: Request) => 'none' | 'valid' | 'forged';
    /** Answers a refused dashboard page (the sign-in form) instead of JSON. */
    refuse: (req: Request, res: Response, status: 401 | 403) => void;
  };
};

/**
 * Bearer token on every admin route but the open ones; compared in constant time. No token is
 * 401 (RFC 6750 §3: ask for one); a token that is not ours is 403, so a misconfigured client is
 * told apart from one that forgot to send it.
 */
export const bearerAuth = (token: string | undefined, options: BearerAuthOptions): RequestHandler => {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  const { open, openPrefixes = [], dashboard } = options;
  const inDashboard = (path: string) => dashboard !== undefined && (path === dashboard.base || path.startsWith(`${dashboard.base}/`));
  return (req, res, next) => {
    if (open.includes(req.path) || openPrefixes.some((p) => req.path.startsWith(p))) return next();
    const match = /^Bearer (.+)$/.exec(req.header('authorization') ?? '');
    if (match && timingSafeEqual(digest(match[1]!), expected)) return next();
    const session = dashboard && !match ? dashboard.session(req) : 'none';
    if (session === 'valid' && (inDashboard(req.path) || req.method === 'GET' || req.method === 'HEAD')) return next();
    const status = match || session === 'forged' ? 403 : 401;
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="certledger"');
    if (dashboard && inDashboard(req.path)) {
      dashboard.refuse(req, res, status);
      return;
    }
    if (status === 403) {
      res.status(403).json({ result: 'error', code: 'forbidden', message: match ? 'The bearer token is not valid for this service' : 'The dashboard session is not valid for this service' });
      return;
    }
    res.status(401).json({ result: 'error', code: 'unauthorized', message: session === 'valid' ? 'A dashboard session may only read this route; send Authorization: Bearer <token>' : 'Authorization: Bearer <token> required' });
  };
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A request id for every request: the caller's `X-Request-Id` when it is a plain token, else a
 * new one, echoed in the answer. Log lines and appended events of the request carry it; one line
 * per request says how it ended (health probes at debug, so they do not drown the rest).
 */
export const requestIds = (logger: Logger, quiet: readonly string[]): RequestHandler => (req, res, next) => {
  const given = req.header('x-request-id');
  const context = { requestId: given !== undefined && REQUEST_ID.test(given) ? given : randomUUID() };
  res.setHeader('X-Request-Id', context.requestId);
  const started = process.hrtime.bigint();
  // Taken now: routers strip their mount path from req.path; the query is left out of logs.
  const path = req.path;
  res.once('finish', () => runWithRequestContext(context, () => {
    const fields = { method: req.method, path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    if (quiet.includes(path)) logger.debug('request', fields);
    else logger.info('request', fields);
  }));
  runWithRequestContext(context, next);
};
