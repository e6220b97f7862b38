/** Facts on the stream `certificateRenewalInfo-<certificateId>` (RFC 9773 polling). */
import type { Event } from '../shared/event.js';

export const ariStreamName = (certificateId: string) => `certificateRenewalInfo-${certificateId}`;

export type AriRenewalInfoFetched = Event<'AriRenewalInfoFetched', {
  certificateId: string;
  acmeServerId: string;
  /** §4.1 identifier, as sent in the URL and in newOrder's `replaces`. */
  ariIdentifier: string;
  suggestedWindow: { start: string; end: string };
  explanationUrl: string | null;
  /** Seconds, as the server sent it; null without the header. */
  retryAfter: number | null;
  /** Random inside the window; kept while the window stays the same (§4.2). */
  chosenRenewalTime: string;
  nextPollAt: string;
  fetchedAt: string;
}>;

export type AriRenewalInfoFetchFailed = Event<'AriRenewalInfoFetchFailed', {
  certificateId: string;
  acmeServerId: string;
  ariIdentifier: string;
  /** HTTP status when one came back (503 …), null for a network error or a bad body. */
  status: number | null;
  reason: string;
  retryAfter: number | null;
  consecutiveFailures: number;
  nextPollAt: string;
  failedAt: string;
}>;

export type AriEvent = AriRenewalInfoFetched | AriRenewalInfoFetchFailed;
export const ARI_EVENT_TYPES = ['AriRenewalInfoFetched', 'AriRenewalInfoFetchFailed'] as const;
