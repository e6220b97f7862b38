/** How a renewal configuration is doing, in words: shared by its list and its page. */
import type { renewalConfigurationJson } from '../../queries/renewal-configurations.js';
import { html } from '../html.js';
import { isoDate, type DashboardContext } from '../layout.js';

type ConfigurationJson = ReturnType<typeof renewalConfigurationJson>;

/** The last attempt's outcome as a word: a running claim, a failure on record, a success, or none yet. */
export function lastRenewal(c: Pick<ConfigurationJson, 'attempt_running' | 'last_failure' | 'last_attempt_at'>): string {
  if (c.attempt_running) return 'processing';
  if (c.last_failure) return 'failed';
  return c.last_attempt_at ? 'success' : 'never';
}

/** When it is next due: nothing while inactive, now without a certificate, later after a backoff. */
export function nextDue(c: Pick<ConfigurationJson, 'is_active' | 'renew_at' | 'next_attempt_at'>) {
  if (!c.is_active) return html`<span class="muted">inactive</span>`;
  const retry = c.next_attempt_at && (!c.renew_at || c.next_attempt_at > c.renew_at) ? html` <span class="muted">(retry after ${isoDate(c.next_attempt_at)})</span>` : '';
  return html`${c.renew_at ? isoDate(c.renew_at) : 'now (no certificate yet)'}${retry}`;
}

export const renewalHref = (ctx: DashboardContext, id: string) => `${ctx.base}/renewal-configurations/${id}`;
