/**
 * Finalize (RFC 8555 §7.4): the key the cycling policy picks, a CSR for exactly the order's
 * names, then a bounded wait while the order is processing. The CSR is public and goes into the
 * order's events; the key stays in the vault, named by its id.
 */
import { createHash } from 'node:crypto';
import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import { assertStepAllowed } from '../../domain/acme-order/steps.js';
import { AcmeProblem } from '../../infra/acme/index.js';
import { deterministicId } from '../../infra/ids.js';
import { generateCsr } from '../../infra/x509/csr-generator.js';
import { loadAcmeAccount } from '../acme-account/load.js';
import { pickPrivateKey } from '../acme/key-policy.js';
import type { CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { laterPosition, loadOrder, runOrderStep, stepRun, type StepRun } from './order-stream.js';
import { pollSettings, pollUntil } from './poll.js';
import { assertOrderNotRateLimited } from './rate-limit.js';
import { parseOrder } from './resources.js';
import { fetchOrder, syncOrder } from './sync-order.js';

/** A CSR's id: derived from its DER, like every catalog id. */
export const csrIdOf = (der: Buffer): string => deterministicId('certificateRequest', createHash('sha256').update(der).digest('hex'));

export async function finalizeOrder(deps: AcmeOrderDeps, orderId: string, context: CommandContext = {}): Promise<StepRun[]> {
  const order = await loadOrder(deps.store, orderId);
  assertStepAllowed(order, 'finalize');
  assertOrderNotRateLimited(order, deps.now());
  const [account, session] = await Promise.all([loadAcmeAccount(deps.store, order.accountId), deps.acme.open(order.accountId)]);
  const picked = await pickPrivateKey(deps, {
    policy: order.keyPolicy as KeyPolicy,
    accountDefaultPolicy: account.orderDefaults.privateKeyCycle,
    accountId: order.accountId,
    uniqueFqdnSetId: order.uniqueFqdnSetId,
    keyTechnology: order.keyTechnology,
  }, context);
  const csr = await generateCsr(picked.key.pkcs8Der, order.identifiers.map(({ type, value }) => ({ type, value })));
  const csrId = csrIdOf(csr.der);
  const finalizeUrl = order.finalizeUrl!;
  const orderUrl = order.orderUrl!;

  const finalized = await runOrderStep(deps, orderId, 'finalize', async () => {
    const response = await session.transport.post(finalizeUrl, { csr: csr.der.toString('base64url') }, session.signer, { kind: 'finalize' });
    const resource = parseOrder(response.body, orderUrl);
    return {
      value: resource,
      facts: [
        { kind: 'finalized', privateKeyId: picked.privateKeyId, keyTechnology: picked.key.keyTechnology, keyPolicy: picked.policy, csrId, csrPem: csr.pem },
        { kind: 'order', order: resource },
      ],
    };
  }, context);
  const runs = [stepRun('finalize', finalized)];
  if (!finalized.result.ok) {
    // orderNotReady: the CA has this order past `ready` (a finalize applied before a crash or a lost
    // answer); read it back instead of leaving the next step to send finalize again.
    if (finalized.result.error instanceof AcmeProblem && finalized.result.error.is('orderNotReady')) runs.push(await syncOrder(deps, orderId, { poll: true }, context));
    return runs;
  }
  if (finalized.result.value.status !== 'processing') return runs;

  let settled = true;
  const polled = await runOrderStep(deps, orderId, 'poll-order', async () => {
    const result = await pollUntil(() => fetchOrder(session, orderUrl), (o) => o.status !== 'processing', pollSettings(deps.poll));
    settled = result.settled;
    return { value: undefined, facts: [{ kind: 'order', order: result.value }] };
  }, context);
  runs.push({ ...stepRun('poll-order', polled, settled), position: laterPosition(finalized.position, polled.position) });
  return runs;
}
