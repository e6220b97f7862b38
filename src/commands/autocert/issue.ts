/**
 * One synchronous order (processing `all`) through the order commands: recorded, then processed,
 * so a failure after newOrder still names the order.
 */
import { ValidationError } from '../../domain/shared/errors.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';
import { recordNewOrder } from '../acme-order/create-acme-order.js';
import { loadOrder } from '../acme-order/order-stream.js';
import { processOrder } from '../acme-order/process-order.js';
import type { CommandContext } from '../handle.js';
import type { IssuerSelection } from './policy.js';

export type Issued =
  | { ok: true; orderId: string; certificateId: string; status: string }
  | { ok: false; orderId: string | null; status: string | null; reason: string };

/** A refused input names its fields: `profile: the ACME server offers no profiles…`. */
const messageOf = (error: unknown): string => {
  if (error instanceof ValidationError) return Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`).join('; ') || error.message;
  return error instanceof Error ? error.message : String(error);
};

export async function issueSynchronously(deps: AcmeOrderDeps, domainNames: string[], issuer: IssuerSelection, context: CommandContext = {}): Promise<Issued> {
  let orderId: string | null = null;
  try {
    orderId = await recordNewOrder(deps, {
      accountId: issuer.accountId,
      identifiers: domainNames.map((value) => ({ type: 'dns' as const, value, challengeType: 'http-01' as const })),
      keyPolicy: issuer.keyPolicy,
      keyTechnology: issuer.keyTechnology,
      ...(issuer.profile ? { profile: issuer.profile } : {}),
      processing: 'all',
    }, context);
    const report = await processOrder(deps, orderId, { all: true }, context);
    const order = await loadOrder(deps.store, orderId);
    if (order.status === 'valid' && order.certificateId) return { ok: true, orderId, certificateId: order.certificateId, status: order.status };
    const failed = report.steps.find((s) => !s.ok);
    const reason = failed ? `${failed.step}: ${messageOf(failed.error)}` : `the order ended ${order.status}`;
    return { ok: false, orderId, status: order.status, reason };
  } catch (error) {
    return { ok: false, orderId, status: null, reason: messageOf(error) };
  }
}
