import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export type PublicRateLimit = { limit: number; windowMs: number };

/**
 * Per client address on the public listener: a flood of unknown tokens or names from one address
 * is answered 429 (with Retry-After) before any database work, and other addresses — the CA's
 * validation servers among them — keep being answered. The address is the TCP peer's: behind a
 * proxy, limit there instead.
 */
export const publicRateLimiter = ({ limit, windowMs }: PublicRateLimit): RequestHandler => rateLimit({
  windowMs,
  limit,
  standardHeaders: 'draft-8',
  legacyHeaders: false,
  // IPv6 clients by /56, as one host usually holds a whole prefix.
  keyGenerator: (req) => ipKeyGenerator(req.socket.remoteAddress ?? 'unknown'),
  handler: (_req, res) => {
    res.status(429).type('text/plain').send('Too many requests from this address');
  },
});
