import type { CommandContext, Handled } from '../handle.js';
import type { AcmeOrderEvent } from '../../domain/acme-order/events.js';
import type { AcmeOrderDeps } from './deps.js';
import { removeDnsRecords } from './dns-records.js';
import { recordOnOrder } from './order-stream.js';

/**
 * Gives an order up locally (peter_sslers' mark → invalid): no step runs on it any more; it can
 * be retried. RFC 8555 has no way to cancel an order on the server: it expires there. Its dns-01
 * records are taken down.
 */
export async function markOrderInvalid(
  deps: AcmeOrderDeps,
  orderId: string,
  mark: { reason: string; actor: string },
  context: CommandContext = {},
): Promise<Handled<AcmeOrderEvent>> {
  const handled = await recordOnOrder(deps, orderId, { type: 'MarkAcmeOrderInvalid', reason: mark.reason, actor: mark.actor, now: deps.now().toISOString() }, { ...context, actor: mark.actor });
  if (handled.events.length > 0 && deps.dns) await removeDnsRecords(deps, orderId, { all: true }, context);
  return handled;
}
