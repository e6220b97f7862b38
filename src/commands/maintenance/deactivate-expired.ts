import { sql, type Kysely } from 'kysely';
import { certificateDecider } from '../../domain/certificate/decider.js';
import { streams } from '../../domain/shared/ids.js';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type DeactivateExpiredDeps = {
  store: EventStore;
  db: Kysely<Database>;
  /** The sweep's clock: `now` is passed in, so the boundary is testable. */
  now: () => Date;
  /** Brings the catalog up to the event log's head first, so the seed rule reads current recents. */
  catchUp?: () => Promise<void>;
};

export type DeactivateExpiredResult = {
  /** Deactivated by this run (reason `expired`). */
  deactivatedIds: string[];
  /** Expired but still some domain's latest single or multi certificate: kept by the seed rule. */
  keptIds: string[];
  /** Wait for it before reading the catalog; null when nothing was written. */
  position: bigint | null;
};

type Candidate = { id: string; latest_for: string[] };

/** Active certificates strictly past not_after, each with the domains it is still the latest of. */
async function expiredCandidates(db: Kysely<Database>, now: Date): Promise<Candidate[]> {
  const { rows } = await sql<Candidate>`
    SELECT c.id,
           COALESCE(array_agg(d.id ORDER BY d.id) FILTER (WHERE d.id IS NOT NULL), '{}') AS latest_for
      FROM certificates c
      LEFT JOIN domains d ON d.certificate_latest_single_id = c.id OR d.certificate_latest_multi_id = c.id
     WHERE c.is_active AND c.not_after < ${now}
     GROUP BY c.id, c.not_after
     ORDER BY c.not_after, c.id`.execute(db);
  return rows;
}

/**
 * Deactivates expired certificates, except those the seed rule protects. The catalog only finds
 * the candidates and the facts; each certificate's decider makes the decision on its own stream,
 * so a concurrent mark or a second sweep at the same time cannot deactivate twice.
 */
export async function deactivateExpired(
  deps: DeactivateExpiredDeps,
  context: CommandContext = {},
): Promise<DeactivateExpiredResult> {
  await deps.catchUp?.();
  const now = deps.now();
  const actor = context.actor ?? 'system:deactivate-expired';
  const result: DeactivateExpiredResult = { deactivatedIds: [], keptIds: [], position: null };
  for (const candidate of await expiredCandidates(deps.db, now)) {
    const handled = await handleCommand(deps.store, streams.certificate(candidate.id), certificateDecider, {
      type: 'DeactivateExpiredCertificate',
      certificateId: candidate.id,
      actor,
      now: now.toISOString(),
      latestForDomainIds: candidate.latest_for,
    }, { ...context, actor }, { retries: 3 });
    if (handled.events.length > 0) {
      result.deactivatedIds.push(candidate.id);
      result.position = handled.position;
    } else if (candidate.latest_for.length > 0) {
      result.keptIds.push(candidate.id);
    }
  }
  return result;
}
