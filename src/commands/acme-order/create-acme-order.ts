/**
 * A new order: decided locally (the names, the challenge per name, the key policy), refused while
 * the CA rate-limits this account and name set, then sent (newOrder) and processed as asked:
 * `none` stops after newOrder, `step` too (each later call runs one step), `all` runs to the end.
 */
import type { OrderIdentifier, ProcessingMode } from '../../domain/acme-order/events.js';
import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { ids } from '../../infra/ids.js';
import { uniqueFqdnSet } from '../../infra/x509/domain-names.js';
import { loadAcmeAccount } from '../acme-account/load.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { recordOnOrder } from './order-stream.js';
import { processOrder, type ProcessReport } from './process-order.js';
import { assertProfileOffered } from './profiles.js';
import { assertNotRateLimited } from './rate-limit.js';

export type CreateOrderInput = {
  accountId: string;
  identifiers: OrderIdentifier[];
  /** Default: the account's. */
  keyPolicy?: KeyPolicy;
  keyTechnology?: string;
  processing: ProcessingMode;
  /** After a failed challenge, deactivate the authorizations still pending (default true). */
  deactivateOnFailure?: boolean;
  retryOf?: string | null;
  /** RFC 9773 §5: the ARI identifier of the certificate this order replaces. */
  replaces?: string;
  /** An ACME profile; must be one the server's directory offers (meta.profiles). */
  profile?: string;
};

export type CreatedOrder = { orderId: string; report: ProcessReport };

/** Records the order; nothing is sent yet. */
export async function recordNewOrder(deps: AcmeOrderDeps, input: CreateOrderInput, context: CommandContext = {}): Promise<string> {
  const account = await loadAcmeAccount(deps.store, input.accountId);
  if (input.identifiers.some((i) => i.challengeType === 'dns-01') && !deps.dns) {
    throw new ValidationError({ identifiers: 'dns-01 needs a DNS provider, and none is configured' });
  }
  const uniqueFqdnSetId = ids.uniqueFqdnSet(uniqueFqdnSet(input.identifiers.map((i) => i.value)));
  await assertNotRateLimited(deps.db, { acmeServerId: account.acmeServerId, accountId: input.accountId, uniqueFqdnSetId }, deps.now());
  if (input.profile !== undefined) await assertProfileOffered(deps, account.acmeServerId, input.profile);
  const orderId = ids.random();
  await recordOnOrder(deps, orderId, {
    type: 'CreateAcmeOrder',
    orderId,
    accountId: input.accountId,
    acmeServerId: account.acmeServerId,
    identifiers: input.identifiers,
    uniqueFqdnSetId,
    keyPolicy: input.keyPolicy ?? 'account_default',
    keyTechnology: input.keyTechnology ?? account.orderDefaults.privateKeyTechnology,
    processing: input.processing,
    deactivateOnFailure: input.deactivateOnFailure ?? true,
    retryOf: input.retryOf ?? null,
    ...(input.replaces === undefined ? {} : { replaces: input.replaces }),
    ...(input.profile === undefined ? {} : { profile: input.profile }),
    now: deps.now().toISOString(),
  }, context);
  return orderId;
}

export async function createAcmeOrder(deps: AcmeOrderDeps, input: CreateOrderInput, context: CommandContext = {}): Promise<CreatedOrder> {
  const orderId = await recordNewOrder(deps, input, context);
  const report = await processOrder(deps, orderId, input.processing === 'all' ? { all: true } : { step: 'submit' }, context);
  return { orderId, report };
}
