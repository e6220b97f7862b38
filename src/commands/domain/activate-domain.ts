import type { LifecycleDeps, MarkInput, MarkOutcome } from '../certificate/lifecycle.js';
import type { CommandContext } from '../handle.js';
import { markDomain } from './mark-domain.js';

export const activateDomain = (deps: LifecycleDeps, domainKey: string, mark: MarkInput, context: CommandContext = {}): Promise<MarkOutcome & { domainId: string }> =>
  markDomain('ActivateDomain', deps, domainKey, mark, context);
