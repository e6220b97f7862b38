import type { EventStore } from '../../infra/eventstore/port.js';
import type { NginxCacheClient } from '../../infra/nginx/port.js';

export type NginxCacheDeps = { store: EventStore; nginx: NginxCacheClient; now: () => Date };

/** How an expiry came about: an operator's request, or the follower after a certificate change at `upTo`. */
export type NginxExpiryCause = { trigger: 'operator' } | { trigger: 'certificate-changed'; upTo: bigint };
