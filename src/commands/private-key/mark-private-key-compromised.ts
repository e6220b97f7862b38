import { privateKeyDecider } from '../../domain/private-key/decider.js';
import { streams } from '../../domain/shared/ids.js';
import type { LifecycleDeps, MarkInput, MarkOutcome } from '../certificate/lifecycle.js';
import { handleCommand, type CommandContext } from '../handle.js';

/**
 * Permanent. The certificates using the key are not changed: they are listed as needing
 * replacement when read, so a later certificate on the same key is flagged too.
 */
export async function markPrivateKeyCompromised(
  deps: Pick<LifecycleDeps, 'store' | 'now'>,
  privateKeyId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<MarkOutcome> {
  const handled = await handleCommand(deps.store, streams.privateKey(privateKeyId), privateKeyDecider, {
    type: 'MarkPrivateKeyCompromised',
    privateKeyId,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  return { changed: handled.events.length > 0, position: handled.position };
}
