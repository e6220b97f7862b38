/**
 * The dashboard is behind the admin token too. A browser cannot send a bearer header without
 * script, so signing in with the token sets a cookie holding an HMAC of it (never the token);
 * the cookie is HttpOnly and SameSite=Strict. Cookie-authenticated requests may read any admin
 * route (downloads, JSON views) but change nothing outside the dashboard, whose forms carry a
 * double-submit CSRF token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'certledger_session';
export const CSRF_COOKIE = 'certledger_csrf';
export const CSRF_FIELD = '_csrf';

export const sessionValue = (token: string): string => createHmac('sha256', token).update('certledger dashboard session v1').digest('base64url');

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

/** none: no cookie; valid: our session; forged: a session cookie that is not ours. */
export function sessionState(req: Request, token: string): 'none' | 'valid' | 'forged' {
  const cookie = readCookies(req)[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') return 'none';
  return equal(cookie, sessionValue(token)) ? 'valid' : 'forged';
}

type CookieOptions = { path: string; maxAgeSeconds?: number; httpOnly: boolean };

export function setCookie(req: Request, res: Response, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'SameSite=Strict'];
  if (options.httpOnly) parts.push('HttpOnly');
  if (req.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  res.append('Set-Cookie', parts.join('; '));
}

/** The CSRF token of this browser: read from its cookie, or made and set now. */
export function csrfToken(req: Request, res: Response, cookiePath: string): string {
  const existing = readCookies(req)[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
  const made = randomBytes(24).toString('base64url');
  setCookie(req, res, CSRF_COOKIE, made, { path: cookiePath, httpOnly: true });
  return made;
}

/** A state-changing dashboard request must carry the CSRF cookie's value in its form, and come from our own origin. */
export function csrfValid(req: Request): boolean {
  const cookie = readCookies(req)[CSRF_COOKIE];
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && typeof body[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined;
  if (!cookie || !field || !equal(cookie, field)) return false;
  const origin = req.header('origin');
  if (origin && origin !== 'null') {
    try {
      if (new URL(origin).host !== req.header('host')) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Methods that read: allowed with the session cookie on every admin route. */
export const isSafeMethod = (method: string): boolean => method === 'GET' || method === 'HEAD';
