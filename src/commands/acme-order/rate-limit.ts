/**
 * RFC 8555 §6.6: after a 429 / rateLimited the CA wants no more of the same until Retry-After.
 * The refusal happens here, before a request goes out: for new orders of the same account, ACME
 * server and name set (from the read model), and for further steps of the order that was limited.
 */
import type { Kysely } from 'kysely';
import type { OrderView } from '../../domain/acme-order/state.js';
import { CertledgerError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';

/** Mapped to HTTP 429 with Retry-After (src/http/errors.ts). */
export class RateLimitedError extends CertledgerError {
  readonly code = 'rate_limited';
  constructor(readonly notBefore: string, message: string) {
    super(message);
  }

  /** Whole seconds from `now` until the limit ends (at least 1). */
  retryAfterSeconds(now: Date): number {
    return Math.max(1, Math.ceil((new Date(this.notBefore).getTime() - now.getTime()) / 1000));
  }
}

export type RateLimitScope = { acmeServerId: string; accountId: string; uniqueFqdnSetId: string };

export async function assertNotRateLimited(db: Kysely<Database>, scope: RateLimitScope, now: Date): Promise<void> {
  const limit = await db
    .selectFrom('acme_rate_limits')
    .select(['not_before', 'acme_order_id'])
    .where('acme_server_id', '=', scope.acmeServerId)
    .where('acme_account_id', '=', scope.accountId)
    .where('unique_fqdn_set_id', '=', scope.uniqueFqdnSetId)
    .where('not_before', '>', now)
    .orderBy('not_before', 'desc')
    .executeTakeFirst();
  if (!limit) return;
  const notBefore = limit.not_before.toISOString();
  throw new RateLimitedError(notBefore, `The ACME server rate-limited these names for this account (order ${limit.acme_order_id}): no new order before ${notBefore}`);
}

export function assertOrderNotRateLimited(order: OrderView, now: Date): void {
  if (order.rateLimitedUntil !== null && new Date(order.rateLimitedUntil) > now) {
    throw new RateLimitedError(order.rateLimitedUntil, `The ACME server rate-limited order ${order.orderId}: retry after ${order.rateLimitedUntil}`);
  }
}
