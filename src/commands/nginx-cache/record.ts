import { randomUUID } from 'node:crypto';
import { nginxCacheExpired } from '../../domain/nginx-cache/events.js';
import { nginxCacheStreams } from '../../domain/shared/ids.js';
import type { NginxFanOut } from '../../infra/nginx/port.js';
import type { CommandContext } from '../handle.js';
import type { NginxCacheDeps, NginxExpiryCause } from './deps.js';

export type NginxExpiryRecorded = { eventId: string; position: bigint; fanOut: NginxFanOut };

/**
 * Appends what the servers answered. The stream is a log of outcomes with no decision to guard,
 * so any revision will do; the id is ours, so the caller can name the event (operations_event.id).
 */
export async function recordExpiry(
  deps: NginxCacheDeps,
  what: { scope: 'all' } | { scope: 'domains'; domainNames: readonly string[] },
  cause: NginxExpiryCause,
  fanOut: NginxFanOut,
  context: CommandContext,
): Promise<NginxExpiryRecorded> {
  const event = nginxCacheExpired({
    ...what,
    trigger: cause.trigger,
    ...(cause.trigger === 'certificate-changed' ? { upTo: cause.upTo } : {}),
    results: fanOut.servers,
    now: deps.now().toISOString(),
  });
  const eventId = randomUUID();
  const appended = await deps.store.append(
    nginxCacheStreams.nginxCache(),
    [{ id: eventId, type: event.type, data: event.data, metadata: { schemaVersion: 1, ...context } }],
    { expectedRevision: 'any' },
  );
  return { eventId, position: appended.position, fanOut };
}
