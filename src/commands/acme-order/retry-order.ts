import { isRetryable } from '../../domain/acme-order/steps.js';
import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import type { ProcessingMode } from '../../domain/acme-order/events.js';
import { IllegalStateError } from '../../domain/shared/errors.js';
import type { CommandContext } from '../handle.js';
import { recordNewOrder, type CreatedOrder } from './create-acme-order.js';
import type { AcmeOrderDeps } from './deps.js';
import { loadOrder, recordOnOrder } from './order-stream.js';
import { processOrder } from './process-order.js';

/**
 * A failed order (invalid on the server, marked invalid, or never accepted) ordered again: a new
 * order for the same account, names, challenges and key policy, linked both ways.
 */
export async function retryOrder(deps: AcmeOrderDeps, orderId: string, options: { processing?: ProcessingMode } = {}, context: CommandContext = {}): Promise<CreatedOrder> {
  const old = await loadOrder(deps.store, orderId);
  if (!isRetryable(old)) throw new IllegalStateError(`ACME order ${orderId} is ${old.status}: only a failed order is retried`);
  const processing = options.processing ?? old.processing;
  const newOrderId = await recordNewOrder(deps, {
    accountId: old.accountId,
    identifiers: old.identifiers,
    keyPolicy: old.keyPolicy as KeyPolicy,
    keyTechnology: old.keyTechnology,
    processing,
    deactivateOnFailure: old.deactivateOnFailure,
    retryOf: orderId,
    ...(old.replaces === undefined ? {} : { replaces: old.replaces }),
    ...(old.profile === undefined ? {} : { profile: old.profile }),
  }, context);
  await recordOnOrder(deps, orderId, { type: 'RecordAcmeOrderRetried', newOrderId, now: deps.now().toISOString() }, context);
  const report = await processOrder(deps, newOrderId, processing === 'all' ? { all: true } : { step: 'submit' }, context);
  return { orderId: newOrderId, report };
}
