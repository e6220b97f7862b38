/**
 * The admin dashboard: server-rendered pages under `{adminPrefix}/dashboard`, calling the same
 * query functions and commands as the API. Errors are the API's mapping rendered as a page.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { errorAnswer } from '../errors.js';
import { ASSETS } from './assets.js';
import { csrfToken, csrfValid, CSRF_FIELD, SESSION_COOKIE, sessionState, sessionValue, setCookie } from './auth.js';
import { emptyForm, errorSummary, field, type FormState } from './forms.js';
import { html, type Html } from './html.js';
import { csrfField, page, type DashboardContext } from './layout.js';
import { dashboardPages } from './pages/index.js';
import { ctxOf, sendPage } from './respond.js';

export const dashboardBase = (adminPrefix: string): string => `${adminPrefix.replace(/\/+$/, '')}/dashboard`;

function signInPage(ctx: DashboardContext, state: FormState, next: string): Html {
  return page(ctx, { title: 'Sign in', section: 'signin' }, html`
<p>This dashboard is behind the admin token (<code>CERTLEDGER_ADMIN_TOKEN</code>). Signing in keeps a cookie holding a digest of it, never the token itself.</p>
${errorSummary(state)}
<form method="post" action="${ctx.base}/login">${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
${field(state, { name: 'token', label: 'Admin token', type: 'password', required: true })}
<button type="submit" class="primary">Sign in</button></form>`);
}

/** A page may only send a signed-in browser back inside the dashboard. */
const safeNext = (base: string, value: unknown): string =>
  typeof value === 'string' && (value === base || value.startsWith(`${base}/`)) && !value.includes('//', 1) && !/[\\\r\n]/.test(value) ? value : `${base}/`;

/** bearerAuth's answer for a dashboard page without a valid session: the sign-in form. */
export const refuseDashboard = ({ adminPrefix, now }: Pick<AppDeps, 'adminPrefix' | 'now'>) => (req: Request, res: Response, status: 401 | 403): void => {
  const base = dashboardBase(adminPrefix);
  const ctx: DashboardContext = { base, adminPrefix, csrf: csrfToken(req, res, adminPrefix), now: now(), signedIn: false };
  const state = status === 403 ? { ...emptyForm(), message: 'That session or token is not valid for this service: sign in again.' } : emptyForm();
  sendPage(res, status, signInPage(ctx, state, safeNext(base, req.originalUrl.split('?')[0])));
};

export function dashboardRoutes(deps: AppDeps): Router {
  const base = dashboardBase(deps.adminPrefix);
  const router = Router();
  const forms = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

  router.get('/assets/:name', (req, res, next) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) return next();
    if (req.header('if-none-match') === asset.etag) return void res.status(304).end();
    res.type(asset.type).set({ ETag: asset.etag, 'Cache-Control': 'no-cache' }).send(asset.body);
  });

  const context: RequestHandler = (req, res, next) => {
    res.locals.dashboard = {
      base, adminPrefix: deps.adminPrefix, csrf: csrfToken(req, res, deps.adminPrefix), now: deps.now(), signedIn: deps.adminToken !== undefined,
    } satisfies DashboardContext;
    next();
  };
  router.use(context);

  // Multipart forms are parsed by their own routes, which check the CSRF field after parsing (or take it from the query).
  router.post(/.*/, forms, (req, res, next) => {
    if (req.is('multipart/form-data') && typeof req.query[CSRF_FIELD] === 'string') {
      req.body = { ...(req.body as object), [CSRF_FIELD]: req.query[CSRF_FIELD] };
    }
    if (csrfValid(req)) return next();
    sendPage(res, 403, page(ctxOf(res), { title: 'Form expired', section: 'overview' }, html`
<p class="notice notice-error" role="alert">This form could not be accepted: it was not sent from this dashboard, or it is older than your session. Nothing was changed.</p>
<p><a href="${base}/">Back to the overview</a></p>`));
  });

  router.get('/login', (req, res) => {
    sendPage(res, 200, signInPage({ ...ctxOf(res), signedIn: false }, emptyForm(), safeNext(base, req.query.next)));
  });
  router.post('/login', (req, res) => {
    const next = safeNext(base, (req.body as Record<string, unknown>).next);
    const given = (req.body as Record<string, unknown>).token;
    const ctx = { ...ctxOf(res), signedIn: false };
    if (!deps.adminToken) return void res.redirect(303, next);
    if (typeof given !== 'string' || given === '') {
      return sendPage(res, 401, signInPage(ctx, { values: {}, errors: { token: 'the admin token is required' } }, next));
    }
    const a = Buffer.from(sessionValue(given));
    const b = Buffer.from(sessionValue(deps.adminToken));
    if (!timingSafeEqual(a, b)) return sendPage(res, 403, signInPage(ctx, { values: {}, errors: { token: 'this is not the admin token of this service' } }, next));
    setCookie(req, res, SESSION_COOKIE, sessionValue(deps.adminToken), { path: deps.adminPrefix, httpOnly: true, maxAgeSeconds: 12 * 3600 });
    res.redirect(303, next);
  });
  router.post('/logout', (req, res) => {
    setCookie(req, res, SESSION_COOKIE, '', { path: deps.adminPrefix, httpOnly: true, maxAgeSeconds: 0 });
    res.redirect(303, `${base}/login`);
  });

  router.use(dashboardPages(deps));

  router.use((req, res) => {
    sendPage(res, 404, page(ctxOf(res), { title: 'Not found', section: 'overview' }, html`<p>Nothing is at <code>${req.originalUrl.split('?')[0]}</code>.</p><p><a href="${base}/">Back to the overview</a></p>`));
  });
  const errors: ErrorRequestHandler = (error, req, res, _next) => {
    if (res.headersSent) return;
    const answer = errorAnswer(error, deps.logger, req);
    const fields = Object.entries(answer.body.form_errors ?? {});
    res.set(answer.headers);
    sendPage(res, answer.status, page(ctxOf(res), { title: answer.status >= 500 ? 'Something went wrong' : 'Not accepted', section: 'overview' }, html`
<div class="error-summary" role="alert"><h2>${answer.body.code}</h2><p>${answer.body.message}</p>${fields.length > 0 ? html`<ul>${fields.map(([name, text]) => html`<li><strong>${name}</strong>: ${text}</li>`)}</ul>` : ''}</div>
<p><a href="${base}/">Back to the overview</a></p>`));
  };
  router.use(errors);
  return router;
}

/** Session state for bearerAuth (read-only on the rest of the admin app). */
export const dashboardSession = (token: string) => (req: Request) => sessionState(req, token);
