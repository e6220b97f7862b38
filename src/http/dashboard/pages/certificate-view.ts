/** What the certificate list and page both show: status words, days left, the validity bar. */
import { lifetimeRenewAt } from '../../../domain/renewal-configuration/due.js';
import { html, type Html } from '../html.js';
import { badge } from '../layout.js';

const DAY_MS = 86_400_000;

type Flags = { is_active: boolean; is_revoked: boolean; is_expired: boolean };

/** Whole days until notAfter (negative once it passed), as the expiry alerts count them. */
export const daysLeft = (notAfter: string, now: Date): number => Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);

export function validityText(notAfter: string, now: Date): string {
  const days = daysLeft(notAfter, now);
  if (Date.parse(notAfter) <= now.getTime()) return `expired ${Math.abs(days) === 1 ? '1 day' : `${Math.abs(days)} days`} ago`;
  return days === 1 ? '1 day left' : `${days} days left`;
}

/** Active or inactive, then revoked and expired when they hold: each a word, never colour alone. */
export function statusBadges(c: Flags): Html {
  return html`${badge(c.is_active ? 'active' : 'inactive')}${c.is_revoked ? html` ${badge('revoked')}` : ''}${c.is_expired ? html` ${badge('expired')}` : ''}`;
}

/**
 * Expiring once the renewal's lifetime rule says it is due (a third, or for short-lived ones
 * half, of the lifetime left), so a 6-day and a 90-day certificate warn alike.
 */
function validityState(notBefore: string, notAfter: string, now: Date): { elapsed: number; state: '' | 'expiring' | 'expired' } {
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  const elapsed = end > start ? Math.min(100, Math.max(0, ((now.getTime() - start) / (end - start)) * 100)) : 100;
  const state = now.getTime() >= end ? 'expired' : now.getTime() >= lifetimeRenewAt(start, end) ? 'expiring' : '';
  return { elapsed, state };
}

/** A bar whose filled part is the elapsed share of the lifetime, with the same fact as text. */
export function validityBar(notBefore: string, notAfter: string, now: Date): Html {
  const { elapsed, state } = validityState(notBefore, notAfter, now);
  const percent = `${elapsed.toFixed(1)}%`;
  return html`<div class="validity${state ? ` ${state}` : ''}" role="img" aria-label="${percent} of the validity period elapsed"><span style="width: ${percent}"></span></div>
<p class="validity-text">${validityText(notAfter, now)} (${percent} of its lifetime elapsed)${state === 'expiring' ? html` ${badge('expiring')}` : ''}</p>`;
}
