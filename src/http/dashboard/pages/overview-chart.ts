/**
 * The overview's figure cards and its expiry chart: bars drawn with CSS from server-side counts.
 * Each bar is a list item holding its label and count as text, so a text browser or a screen
 * reader reads "0–7 days 3" and the picture adds nothing the words lack.
 */
import type { ExpiryBucket } from '../../queries/overview.js';
import { html, type Html } from '../html.js';

export const card = (value: number, label: string, href?: string): Html =>
  html`<div class="card"><span class="value">${value}</span> ${href ? html`<a href="${href}">${label}</a>` : label}</div>`;

/** Tallest bar in pixels; the rest scale to it (a non-zero count keeps a visible sliver). */
const MAX_BAR_PX = 100;

export function expiryChart(buckets: readonly ExpiryBucket[]): Html {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const most = Math.max(1, ...buckets.map((b) => b.count));
  // The stylesheet's .chart is a fixed-height row of bars; here each bar also carries its words.
  const bars = buckets.map((b, i) => {
    const px = b.count === 0 ? 0 : Math.max(3, Math.round((b.count / most) * MAX_BAR_PX));
    const tone = i === 0 ? 'var(--bad)' : i === 1 ? 'var(--warn)' : 'var(--accent)';
    return html`<li style="flex:1;display:flex;flex-direction:column;justify-content:flex-end;text-align:center;min-width:0">
<span class="chart-label" style="order:3;font-size:.8em;color:var(--muted)">${b.label}</span>
<strong class="chart-count" style="order:1">${b.count}</strong>
<span class="bar" aria-hidden="true" style="order:2;flex:none;height:${px}px;background:${tone}"></span></li>`;
  });
  return html`<figure style="margin:8px 0 0">
<figcaption>Active certificates by days to expiry (${total} in all)</figcaption>
<ol class="chart expiry-chart" aria-label="Active certificates by days to expiry" style="list-style:none;padding:0;height:auto;min-height:150px">${bars}</ol>
</figure>`;
}
