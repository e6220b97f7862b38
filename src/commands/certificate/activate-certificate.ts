import { certificateDecider } from '../../domain/certificate/decider.js';
import { streams } from '../../domain/shared/ids.js';
import { handleCommand, type CommandContext } from '../handle.js';
import type { LifecycleDeps, MarkInput, MarkOutcome } from './lifecycle.js';

/** Refused (IllegalStateError) for a revoked or an expired certificate; a no-op for an active one. */
export async function activateCertificate(
  deps: Pick<LifecycleDeps, 'store' | 'now'>,
  certificateId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<MarkOutcome> {
  const handled = await handleCommand(deps.store, streams.certificate(certificateId), certificateDecider, {
    type: 'ActivateCertificate',
    certificateId,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  return { changed: handled.events.length > 0, position: handled.position };
}
