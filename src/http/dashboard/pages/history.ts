/**
 * An event list as a timeline: type, time, actor and request id, the data behind a disclosure.
 * Event data never holds key material (keys live in the vault), so it is shown as stored.
 */
import type { EventItem } from '../../queries/audit.js';
import { html, type Html } from '../html.js';
import { isoDate } from '../layout.js';

const FAILED = /Failed|Invalid|Revoked|Refused|Shredded|Deactivated/;

/** A one-line summary of an event's data: a few well-known fields, never whole payloads. */
function summary(event: EventItem): string {
  const d = event.data;
  const parts: string[] = [];
  for (const key of ['step', 'status', 'reason', 'message', 'domainName', 'remoteAddress', 'method', 'url']) {
    const value = d[key];
    if (typeof value === 'string' && value !== '') parts.push(`${key}: ${value.length > 120 ? `${value.slice(0, 117)}…` : value}`);
    else if (typeof value === 'number') parts.push(`${key}: ${value}`);
  }
  return parts.join(' · ');
}

export function eventTimeline(events: readonly EventItem[], caption = 'Event history'): Html {
  if (events.length === 0) return html`<p class="empty">No events recorded.</p>`;
  return html`<ol class="timeline" aria-label="${caption}">${events.map((e) => {
    const actor = typeof e.metadata.actor === 'string' ? e.metadata.actor : undefined;
    const request = typeof e.metadata.correlationId === 'string' ? e.metadata.correlationId : undefined;
    return html`<li class="${FAILED.test(e.type) ? 'failed' : ''}"><strong>${e.type}</strong> ${isoDate(e.created_at)}${actor ? html` <span class="muted">by ${actor}</span>` : ''}
<br><span>${summary(e)}</span>
<details><summary>Data (position ${e.position}${request ? html`, request ${request}` : ''})</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details></li>`;
  })}</ol>`;
}
