/** Facts on the stream `nginxCache-global`: what each nginx server answered to a cache expiry. */
import type { Event } from '../shared/event.js';

/** One server's answer; the URL is the configured base URL, which never carries credentials. */
export type NginxServerOutcome = {
  server: string;
  ok: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** Why it failed (timeout, refused, TLS, status, result); for domains, the names that failed. */
  error?: string;
  elapsedMs: number;
};

export type NginxCacheExpired = Event<'NginxCacheExpired', {
  scope: 'all' | 'domains';
  /** Sorted; present for scope `domains`. */
  domainNames?: string[];
  trigger: 'operator' | 'certificate-changed';
  /** The event-log position (decimal) whose changes caused it; automatic expiry only. */
  upTo?: string;
  results: NginxServerOutcome[];
  expiredAt: string;
}>;

export type NginxCacheEvent = NginxCacheExpired;
export const NGINX_CACHE_EVENT_TYPES: readonly string[] = ['NginxCacheExpired'];

/** Pure: the event for one fan-out (names deduplicated and sorted, so equal requests record equally). */
export function nginxCacheExpired(input: {
  scope: 'all' | 'domains';
  domainNames?: readonly string[];
  trigger: 'operator' | 'certificate-changed';
  upTo?: bigint;
  results: readonly NginxServerOutcome[];
  now: string;
}): NginxCacheExpired {
  return {
    type: 'NginxCacheExpired',
    data: {
      scope: input.scope,
      ...(input.scope === 'domains' ? { domainNames: [...new Set(input.domainNames ?? [])].sort() } : {}),
      trigger: input.trigger,
      ...(input.upTo === undefined ? {} : { upTo: input.upTo.toString() }),
      results: input.results.map((r) => ({
        server: r.server,
        ok: r.ok,
        ...(r.status === undefined ? {} : { status: r.status }),
        ...(r.error === undefined ? {} : { error: r.error }),
        elapsedMs: r.elapsedMs,
      })),
      expiredAt: input.now,
    },
  };
}
