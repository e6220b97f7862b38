import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { Projection } from '../projection.js';
import { readPrimeCheckpoint } from '../redis-prime/checkpoint.js';
import { PRIME_NAME } from './prime-rebuild.js';
import { runningRebuilds } from './rebuild-lock.js';

export type ProjectionStatusRow = {
  name: string;
  /** The version this code projects; `storedVersion` differs until the projector has rebuilt. */
  version: number | null;
  storedVersion: number | null;
  /** Null: never run (no checkpoint yet), or the prime's Redis did not answer. */
  position: bigint | null;
  lag: bigint | null;
  updatedAt: string | null;
  /** Known to the process that runs the projection (this one, or the server's GET /api/v1/projections). */
  lastError: string | null;
  rebuildingSince: string | null;
};

type Live = { name: string; lastError?: string };

/**
 * Where each projection stands, from the stores themselves (checkpoints table, the prime's key in
 * Redis), so it works from a process that does not project; last errors from `live` when given.
 */
export async function projectionStatus(deps: {
  db: Kysely<Database>;
  store: EventStore;
  projections: readonly Projection[];
  redis?: Redis;
  live?: readonly Live[];
  primeLastError?: string;
}): Promise<{ head: bigint; items: ProjectionStatusRow[] }> {
  const [head, rows, rebuilding] = await Promise.all([
    deps.store.headPosition(),
    deps.db.selectFrom('projection_checkpoints').select(['name', 'version', 'position', 'updated_at']).execute(),
    runningRebuilds(deps.db),
  ]);
  const since = (name: string) => rebuilding.find((r) => r.name === name)?.startedAt.toISOString() ?? null;
  const items: ProjectionStatusRow[] = deps.projections.map((p) => {
    const row = rows.find((r) => r.name === p.name);
    return {
      name: p.name,
      version: p.version,
      storedVersion: row?.version ?? null,
      position: row?.position ?? null,
      lag: row ? head - row.position : null,
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
      lastError: deps.live?.find((l) => l.name === p.name)?.lastError ?? null,
      rebuildingSince: since(p.name),
    };
  });
  if (deps.redis) {
    let position: bigint | null = null;
    let lastError = deps.primeLastError ?? null;
    try {
      position = await readPrimeCheckpoint(deps.redis);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    items.push({
      name: PRIME_NAME, version: null, storedVersion: null, position, lag: position === null ? null : head - position,
      updatedAt: null, lastError, rebuildingSince: since(PRIME_NAME),
    });
  }
  return { head, items };
}
