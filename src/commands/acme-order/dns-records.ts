/**
 * dns-01 records (RFC 8555 §8.4) through the DNS provider port: published before the challenge
 * is triggered, removed once it is settled. Each record's life is an event on the order stream,
 * so a record left behind by a crash is visible (and removed by the next cleanup).
 */
import type { StepFact } from '../../domain/acme-order/commands.js';
import type { OrderView } from '../../domain/acme-order/state.js';
import { isOrderOver } from '../../domain/acme-order/steps.js';
import { IllegalStateError } from '../../domain/shared/errors.js';
import { dns01RecordName, dns01TxtValue } from '../../infra/acme/index.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { failureFacts, loadOrder, runOrderStep, type StepRun } from './order-stream.js';

export type DnsRecordRequest = { challengeId: string; identifier: string; keyAuthorization: string };

function providerOf(deps: AcmeOrderDeps) {
  if (!deps.dns) throw new IllegalStateError('dns-01 needs a DNS provider, and none is configured');
  return deps.dns;
}

/** Several at once; the ones that were set are recorded even when another failed. */
export async function setDnsRecords(deps: AcmeOrderDeps, orderId: string, requests: DnsRecordRequest[], context: CommandContext = {}): Promise<StepRun> {
  const provider = providerOf(deps);
  let failure: unknown;
  const recorded = await runOrderStep(deps, orderId, 'set-dns-records', async () => {
    const settled = await Promise.allSettled(requests.map(async (request) => {
      const recordName = dns01RecordName(request.identifier);
      const value = dns01TxtValue(request.keyAuthorization);
      await provider.setTxt(recordName, value);
      return { kind: 'dnsRecordSet' as const, challengeId: request.challengeId, provider: provider.kind, recordName, value };
    }));
    const facts: StepFact[] = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) {
      failure = rejected.reason;
      facts.push(...failureFacts(rejected.reason));
    }
    return { value: undefined, facts };
  }, context);
  if (!recorded.result.ok) return { step: 'set-dns-records', ok: false, settled: true, error: recorded.result.error, position: recorded.position };
  return failure === undefined
    ? { step: 'set-dns-records', ok: true, settled: true, position: recorded.position }
    : { step: 'set-dns-records', ok: false, settled: true, error: failure, position: recorded.position };
}

/** Records still published whose challenge no longer needs them (settled, or the order is over). */
export function recordsToRemove(order: OrderView, all = false): { challengeId: string; recordName: string; value: string }[] {
  return Object.values(order.challenges).flatMap((c) => {
    if (!c.dnsRecord || c.dnsRecord.removed) return [];
    const needed = !all && !isOrderOver(order) && (c.status === 'pending' || c.status === 'processing');
    return needed ? [] : [{ challengeId: c.challengeId, recordName: c.dnsRecord.recordName, value: c.dnsRecord.value }];
  });
}

/** Removes what `recordsToRemove` finds; null when there was nothing to do. */
export async function removeDnsRecords(deps: AcmeOrderDeps, orderId: string, options: { all?: boolean } = {}, context: CommandContext = {}): Promise<StepRun | null> {
  const order = await loadOrder(deps.store, orderId);
  const records = recordsToRemove(order, options.all);
  if (records.length === 0) return null;
  const provider = providerOf(deps);
  let failure: unknown;
  const recorded = await runOrderStep(deps, orderId, 'remove-dns-records', async () => {
    const facts: StepFact[] = [];
    // One at a time: a provider may rewrite a whole name to take one value away.
    for (const record of records) {
      try {
        await provider.removeTxt(record.recordName, record.value);
        facts.push({ kind: 'dnsRecordRemoved', challengeId: record.challengeId, provider: provider.kind, recordName: record.recordName, value: record.value });
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) facts.push(...failureFacts(failure));
    return { value: undefined, facts };
  }, context);
  return { step: 'remove-dns-records', ok: recorded.result.ok && failure === undefined, settled: true, position: recorded.position, ...(failure === undefined ? {} : { error: failure }) };
}
