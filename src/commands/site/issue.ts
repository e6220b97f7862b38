/**
 * The synchronous order a deploy runs when the plan needs a certificate now: autocert's
 * issueSynchronously, but with the site's challenge type (a site whose names do not reach this
 * machine over http-01 can still use dns-01).
 */
import { ValidationError } from '../../domain/shared/errors.js';
import { recordNewOrder } from '../acme-order/create-acme-order.js';
import { loadOrder } from '../acme-order/order-stream.js';
import { processOrder } from '../acme-order/process-order.js';
import { policyIssuer } from '../autocert/policy.js';
import type { CommandContext } from '../handle.js';
import type { SiteDeps, SiteIssuer } from './deps.js';

export type SiteIssued = { ok: true; orderId: string; certificateId: string } | { ok: false; orderId: string | null; reason: string };

const messageOf = (error: unknown): string => {
  if (error instanceof ValidationError) return Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`).join('; ') || error.message;
  return error instanceof Error ? error.message : String(error);
};

export async function issueForSite(deps: SiteDeps, hostNames: string[], issuer: SiteIssuer, context: CommandContext): Promise<SiteIssued> {
  let orderId: string | null = null;
  try {
    const fallback = issuer.accountId ? null : await policyIssuer(deps.store, 'global');
    const accountId = issuer.accountId ?? fallback?.accountId;
    if (!accountId) return { ok: false, orderId, reason: 'no ACME account: give one or set the `global` system policy' };
    const profile = issuer.profile ?? fallback?.profile;
    const keyPolicy = issuer.keyPolicy ?? fallback?.keyPolicy;
    orderId = await recordNewOrder(deps, {
      accountId,
      identifiers: hostNames.map((value) => ({ type: 'dns' as const, value, challengeType: issuer.challengeType ?? 'http-01' })),
      keyTechnology: issuer.keyTechnology ?? fallback?.keyTechnology,
      ...(keyPolicy ? { keyPolicy } : {}),
      ...(profile ? { profile } : {}),
      processing: 'all',
    }, context);
    const report = await processOrder(deps, orderId, { all: true }, context);
    const order = await loadOrder(deps.store, orderId);
    if (order.status === 'valid' && order.certificateId) return { ok: true, orderId, certificateId: order.certificateId };
    const failed = report.steps.find((s) => !s.ok);
    return { ok: false, orderId, reason: failed ? `${failed.step}: ${messageOf(failed.error)}` : `the order ended ${order.status}` };
  } catch (error) {
    return { ok: false, orderId, reason: messageOf(error) };
  }
}
