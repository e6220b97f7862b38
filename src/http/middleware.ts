import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Every response names the role that served it, so a mis-routed request is visible at once. */
export const roleHeader = (role: 'admin' | 'public'): RequestHandler => (_req, res, next) => {
  res.setHeader('X-Peter-SSLers', role);
  next();
};

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer token on every admin route but the health probes; compared in constant time. No token
 * is 401 (RFC 6750 §3: ask for one); a token that is not ours is 403, so a misconfigured client
 * is told apart from one that forgot to send it.
 */
export const bearerAuth = (token: string | undefined, open: readonly string[]): RequestHandler => {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, res, next) => {
    if (open.includes(req.path)) return next();
    const match = /^Bearer (.+)$/.exec(req.header('authorization') ?? '');
    if (match && timingSafeEqual(digest(match[1]!), expected)) return next();
    if (match) {
      res.status(403).json({ result: 'error', code: 'forbidden', message: 'The bearer token is not valid for this service' });
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="certledger"');
    res.status(401).json({ result: 'error', code: 'unauthorized', message: 'Authorization: Bearer <token> required' });
  };
};
