import type { LifecycleDeps, MarkInput, MarkOutcome } from '../certificate/lifecycle.js';
import type { CommandContext } from '../handle.js';
import { markDomain } from './mark-domain.js';

/** config.json then answers the domain with is_active false and no certificates; nginx gets nothing for it. */
export const deactivateDomain = (deps: LifecycleDeps, domainKey: string, mark: MarkInput, context: CommandContext = {}): Promise<MarkOutcome & { domainId: string }> =>
  markDomain('DeactivateDomain', deps, domainKey, mark, context);
