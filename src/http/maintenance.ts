import { deactivateExpired, type DeactivateExpiredResult } from '../commands/maintenance/deactivate-expired.js';
import { updateRecentsEverywhere } from '../commands/maintenance/update-recents.js';
import type { AppDeps } from './app-deps.js';

/** update-recents for both route families: a read-model repair, answered once it has committed. */
export async function runUpdateRecents(deps: AppDeps): Promise<{ domainsChanged: number }> {
  // Let pending catalog batches land first, so the repair starts from the newest certificates' state.
  await deps.projections.waitFor(await deps.store.headPosition());
  const result = await updateRecentsEverywhere(deps.db);
  // A repair writes rows without an event: the served index cannot see it by position.
  if (result.domainsChanged > 0) deps.servedIndex?.invalidate();
  deps.logger.info('recents updated', { domainsChanged: result.domainsChanged });
  return result;
}

/** deactivate-expired for both route families, with the request's clock; answered after the catalog has it. */
export async function runDeactivateExpired(deps: AppDeps, actor: string): Promise<DeactivateExpiredResult> {
  const result = await deactivateExpired({
    store: deps.store,
    db: deps.db,
    now: deps.now,
    catchUp: async () => deps.projections.waitFor(await deps.store.headPosition()),
  }, { actor });
  if (result.position !== null) await deps.projections.waitFor(result.position);
  deps.logger.info('expired certificates deactivated', { deactivated: result.deactivatedIds.length, keptAsLatest: result.keptIds.length });
  return result;
}
