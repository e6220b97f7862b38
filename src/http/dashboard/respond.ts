import type { Response } from 'express';
import type { Html } from './html.js';
import type { DashboardContext, Notice } from './layout.js';

/** The request's dashboard context (set by the dashboard router before any page runs). */
export const ctxOf = (res: Response): DashboardContext => res.locals.dashboard as DashboardContext;

export function sendPage(res: Response, status: number, body: Html): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(body.value);
}

/** After a POST: back to a page (303, so a reload does not repeat the action) with a notice key. */
export const redirectDone = (res: Response, path: string, done: string): void => {
  res.redirect(303, `${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(done)}`);
};

/** The notice a redirect asked for: only keys the page knows (no reflected text). */
export function noticeFrom(query: Record<string, unknown>, messages: Record<string, string>): Notice | undefined {
  const key = typeof query.done === 'string' ? query.done : undefined;
  return key !== undefined && Object.hasOwn(messages, key) ? { kind: 'ok', text: messages[key]! } : undefined;
}
