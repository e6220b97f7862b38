import { assertAcmeAccountCan } from '../../domain/acme-account/decider.js';
import type { RecordAcmeAccountCheck } from '../../domain/acme-account/commands.js';
import { AcmeProblem } from '../../infra/acme/index.js';
import { acmeStep } from '../acme/exchange-collector.js';
import { vaultAccountSigner } from '../acme/sessions.js';
import type { CommandContext } from '../handle.js';
import type { AcmeCommandDeps } from './deps.js';
import { loadAcmeAccount } from './load.js';
import { recordAccountStep } from './record-step.js';

export type CheckResult = { result: 'valid' | 'not_found' | 'deactivated'; accountUrl: string | null; position: bigint | null };

type Found = { result: CheckResult['result']; accountUrl: string | null };

/**
 * §7.3.1 `onlyReturnExisting`: asks the CA what it knows of the account's key without creating
 * anything. `accountDoesNotExist` and a deactivated account are answers, not failures; the
 * problem document stays in the recorded exchange.
 */
export async function checkAcmeAccount(deps: AcmeCommandDeps, acmeAccountId: string, context: CommandContext = {}): Promise<CheckResult> {
  const account = assertAcmeAccountCan(await loadAcmeAccount(deps.store, acmeAccountId), 'check', acmeAccountId);
  const [transport, signer] = await Promise.all([deps.acme.transportFor(account.acmeServerId), vaultAccountSigner(deps.vault, account.key.keyId)]);
  const step = await acmeStep(async (): Promise<Found> => {
    const directory = await transport.directory();
    try {
      const response = await transport.post(directory.newAccount, { onlyReturnExisting: true }, signer, { kind: 'accountLookup' });
      return { result: 'valid', accountUrl: response.location ?? account.accountUrl };
    } catch (error) {
      if (error instanceof AcmeProblem && error.is('accountDoesNotExist')) return { result: 'not_found', accountUrl: null };
      // Pebble and Boulder answer `unauthorized` naming the deactivated state (§7.3.6).
      if (error instanceof AcmeProblem && error.is('unauthorized') && /deactivated/i.test(error.detail ?? '')) return { result: 'deactivated', accountUrl: account.accountUrl };
      throw error;
    }
  });
  const { value, handled } = await recordAccountStep<Found, RecordAcmeAccountCheck>(
    deps.store, acmeAccountId, step,
    (result) => ({ type: 'RecordAcmeAccountCheck', acmeAccountId, result, exchanges: step.exchanges, now: deps.now().toISOString() }),
    (found) => ({ ok: true, ...found }),
    context,
  );
  return { ...value, position: handled.position };
}
