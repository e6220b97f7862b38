import type { SiteCommand } from '../../domain/site/commands.js';
import { siteDecider, type SiteState } from '../../domain/site/decider.js';
import type { SiteEvent } from '../../domain/site/events.js';
import { fold } from '../../domain/shared/decider.js';
import { siteStreams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext, type Handled } from '../handle.js';

export async function loadSite(store: EventStore, siteId: string): Promise<SiteState> {
  const events = await store.readStream(siteStreams.site(siteId));
  return fold(siteDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as SiteEvent));
}

/** No retries: every site command runs under the site lock, so a conflict means a writer outside it. */
export function recordOnSite(store: EventStore, siteId: string, command: SiteCommand, context: CommandContext = {}): Promise<Handled<SiteEvent>> {
  return handleCommand(store, siteStreams.site(siteId), siteDecider, command, context);
}
