/**
 * The renewal queue (peter_sslers' queue-renewals): `update` queues every configuration that is
 * due, `process` renews one queued item per call, so a cron job or a browser refresh drains it;
 * `loop` drains it in one call. Queueing and processing go through the configuration's stream,
 * so an item is queued once and processed once however many callers there are.
 */
import { ConcurrencyError } from '../../domain/shared/errors.js';
import { ids } from '../../infra/ids.js';
import type { CommandContext } from '../handle.js';
import { ariChoiceFor } from './ari-choice.js';
import { attemptSiteAwareRenewal } from '../site/renewed.js';
import type { AttemptOutcome } from './attempt.js';
import type { RenewalConfigDeps, RenewalDeps } from './deps.js';
import { dueCandidates } from './run.js';
import { loadRenewalConfiguration, recordOnConfiguration } from './stream.js';

export type QueueUpdate = { queued: string[]; position: bigint | null };

export async function updateRenewalQueue(deps: RenewalConfigDeps, options: { max?: number } = {}, context: CommandContext = {}): Promise<QueueUpdate> {
  const max = options.max ?? 1000;
  const update: QueueUpdate = { queued: [], position: null };
  let afterId: string | null = null;
  for (let seen = 0; seen < max;) {
    const batch = await dueCandidates(deps.db, deps.now(), afterId, Math.min(100, max - seen));
    if (batch.length === 0) break;
    afterId = batch.at(-1)!;
    seen += batch.length;
    for (const configurationId of batch) {
      try {
        const state = await loadRenewalConfiguration(deps.store, configurationId);
        const result = await recordOnConfiguration(deps.store, configurationId, {
          type: 'QueueRenewal', queueItemId: ids.random(), ari: await ariChoiceFor(deps.db, state.certificate?.certificateId ?? null), now: deps.now().toISOString(),
        }, context);
        if (result.events.length > 0) {
          update.queued.push(configurationId);
          update.position = result.position;
        }
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  }
  return update;
}

export type QueueProcessed = { processed: AttemptOutcome | null; remaining: number };

const oldestQueued = (deps: RenewalConfigDeps, skip: readonly string[]) => {
  let query = deps.db.selectFrom('renewal_queue').select(['id', 'renewal_configuration_id']).where('status', '=', 'queued');
  if (skip.length > 0) query = query.where('renewal_configuration_id', 'not in', [...skip]);
  return query.orderBy('queued_at').orderBy('id').limit(1).executeTakeFirst();
};

const countQueued = async (deps: RenewalConfigDeps): Promise<number> =>
  Number((await deps.db.selectFrom('renewal_queue').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow()).n);

/** Renews the oldest queued item; another caller holding it makes this one report it unclaimed. */
export async function processRenewalQueue(deps: RenewalDeps, context: CommandContext = {}, skip: readonly string[] = []): Promise<QueueProcessed> {
  const item = await oldestQueued(deps, skip);
  if (!item) return { processed: null, remaining: 0 };
  const processed = await attemptSiteAwareRenewal(deps, item.renewal_configuration_id, 'queue', context);
  return { processed, remaining: await countQueued(deps) };
}

/**
 * Drains the queue: one item at a time until it is empty or `max` items were tried. Items this
 * loop could not claim are skipped (the read model may lag the stream that closed them).
 */
export async function processRenewalQueueLoop(deps: RenewalDeps, options: { max?: number } = {}, context: CommandContext = {}): Promise<AttemptOutcome[]> {
  const outcomes: AttemptOutcome[] = [];
  const skip: string[] = [];
  for (let i = 0; i < (options.max ?? 100); i++) {
    const { processed } = await processRenewalQueue(deps, context, skip);
    if (!processed) break;
    outcomes.push(processed);
    skip.push(processed.configurationId);
  }
  return outcomes;
}
