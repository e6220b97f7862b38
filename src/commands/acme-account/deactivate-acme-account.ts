import { assertAcmeAccountCan } from '../../domain/acme-account/decider.js';
import type { RecordAcmeAccountDeactivation } from '../../domain/acme-account/commands.js';
import { acmeStep } from '../acme/exchange-collector.js';
import type { CommandContext } from '../handle.js';
import type { AcmeCommandDeps } from './deps.js';
import { loadAcmeAccount } from './load.js';
import { recordAccountStep } from './record-step.js';

/**
 * §7.3.6: `{"status": "deactivated"}` to the account URL. Final: the CA refuses the account's
 * later requests, and certledger refuses to send them. A deactivated account is a no-op.
 */
export async function deactivateAcmeAccount(deps: AcmeCommandDeps, acmeAccountId: string, context: CommandContext = {}): Promise<{ changed: boolean; position: bigint | null }> {
  const state = await loadAcmeAccount(deps.store, acmeAccountId);
  if (state.status === 'deactivated') return { changed: false, position: null };
  assertAcmeAccountCan(state, 'deactivate', acmeAccountId);
  const session = await deps.acme.open(acmeAccountId);
  const step = await acmeStep(() => session.transport.post(session.accountUrl, { status: 'deactivated' }, session.signer, { kind: 'accountDeactivate' }));
  const { handled } = await recordAccountStep<unknown, RecordAcmeAccountDeactivation>(
    deps.store, acmeAccountId, step,
    (result) => ({ type: 'RecordAcmeAccountDeactivation', acmeAccountId, result, exchanges: step.exchanges, now: deps.now().toISOString() }),
    () => ({ ok: true }),
    context,
  );
  return { changed: true, position: handled.position };
}
