import { acmeServerDecider } from '../../domain/acme-server/decider.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import { acmeFailureOf } from '../acme-account/failure.js';
import type { AcmeCommandDeps } from '../acme-account/deps.js';
import { acmeStep } from '../acme/exchange-collector.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { directoryFacts } from './directory-facts.js';
import { loadAcmeServer } from './load.js';

export type DirectoryRefresh = { changed: boolean; directorySha256: string; position: bigint | null };

/**
 * Fetches the directory again through the server's shared transport (which then uses the new
 * URLs too). An event only when its hash changed; a failed fetch is recorded, then thrown.
 */
export async function refreshAcmeServerDirectory(
  deps: Pick<AcmeCommandDeps, 'store' | 'acme' | 'now'>,
  acmeServerId: string,
  context: CommandContext = {},
): Promise<DirectoryRefresh> {
  await loadAcmeServer(deps.store, acmeServerId);
  const transport = await deps.acme.transportFor(acmeServerId);
  const step = await acmeStep(() => transport.directory({ refresh: true }));
  const fetched = step.ok ? directoryFacts(step.value) : undefined;
  const handled = await handleCommand(deps.store, acmeStreams.acmeServer(acmeServerId), acmeServerDecider, {
    type: 'RecordAcmeServerDirectoryFetch',
    acmeServerId,
    result: fetched ? { ok: true, fetched } : { ok: false, failure: acmeFailureOf(step.ok ? undefined : step.error) },
    exchanges: step.exchanges,
    now: deps.now().toISOString(),
  }, context, { retries: 5 });
  if (!step.ok) throw step.error;
  return { changed: handled.events.length > 0, directorySha256: fetched!.directorySha256, position: handled.position };
}
