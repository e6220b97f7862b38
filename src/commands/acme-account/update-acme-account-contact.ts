import { assertAcmeAccountCan } from '../../domain/acme-account/decider.js';
import type { RecordAcmeAccountContactUpdate } from '../../domain/acme-account/commands.js';
import { acmeStep } from '../acme/exchange-collector.js';
import type { CommandContext } from '../handle.js';
import type { AcmeCommandDeps } from './deps.js';
import { loadAcmeAccount } from './load.js';
import { recordAccountStep } from './record-step.js';

/** §7.3.2: POST the new `contact` to the account URL; the CA's answer is what is recorded. */
export async function updateAcmeAccountContact(
  deps: AcmeCommandDeps,
  acmeAccountId: string,
  contact: string[],
  context: CommandContext = {},
): Promise<{ contact: string[]; position: bigint | null }> {
  assertAcmeAccountCan(await loadAcmeAccount(deps.store, acmeAccountId), 'updateContact', acmeAccountId);
  const session = await deps.acme.open(acmeAccountId);
  const step = await acmeStep(async () => {
    const response = await session.transport.post(session.accountUrl, { contact }, session.signer, { kind: 'accountUpdate' });
    const body = (response.body ?? {}) as { contact?: unknown };
    return Array.isArray(body.contact) && body.contact.every((c) => typeof c === 'string') ? (body.contact as string[]) : contact;
  });
  const { value, handled } = await recordAccountStep<string[], RecordAcmeAccountContactUpdate>(
    deps.store, acmeAccountId, step,
    (result) => ({ type: 'RecordAcmeAccountContactUpdate', acmeAccountId, result, exchanges: step.exchanges, now: deps.now().toISOString() }),
    (updated) => ({ ok: true, contact: updated }),
    context,
  );
  return { contact: value, position: handled.position };
}
