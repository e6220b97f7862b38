import type { AcmeAccountOrderDefaults } from '../../domain/acme-account/defaults.js';
import { acmeAccountDecider } from '../../domain/acme-account/decider.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext } from '../handle.js';

/** The key technology and key cycle an account's orders use unless they name their own. */
export async function changeAcmeAccountOrderDefaults(
  deps: { store: EventStore; now: () => Date },
  acmeAccountId: string,
  orderDefaults: Partial<AcmeAccountOrderDefaults>,
  context: CommandContext = {},
): Promise<{ changed: boolean; position: bigint | null }> {
  const handled = await handleCommand(deps.store, acmeStreams.acmeAccount(acmeAccountId), acmeAccountDecider, {
    type: 'ChangeAcmeAccountOrderDefaults', acmeAccountId, orderDefaults, now: deps.now().toISOString(),
  }, context, { retries: 5 });
  return { changed: handled.events.length > 0, position: handled.position };
}
