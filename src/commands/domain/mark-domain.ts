import { domainDecider } from '../../domain/domain/decider.js';
import { streams } from '../../domain/shared/ids.js';
import type { LifecycleDeps, MarkInput, MarkOutcome } from '../certificate/lifecycle.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { knownDomain } from './known-domain.js';

/** Activate and deactivate differ only in the command type: one load → decide → append for both. */
export async function markDomain(
  type: 'ActivateDomain' | 'DeactivateDomain',
  deps: LifecycleDeps,
  domainKey: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<MarkOutcome & { domainId: string }> {
  const domain = await knownDomain(deps.db, domainKey);
  const handled = await handleCommand(deps.store, streams.domain(domain.id), domainDecider, {
    type,
    domainId: domain.id,
    domainName: domain.domainName,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  return { changed: handled.events.length > 0, position: handled.position, domainId: domain.id };
}
