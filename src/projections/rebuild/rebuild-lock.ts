import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { IllegalStateError } from '../../domain/shared/errors.js';
import type { Database } from '../../infra/db/schema.js';

/** A run that has not beaten for this long belongs to a dead process and may be taken over. */
const STALE_AFTER_SECONDS = 120;

export class RebuildRunningError extends IllegalStateError {
  constructor(readonly projection: string) {
    super(`a rebuild of ${projection} is already running`);
  }
}

export type RebuildLock = {
  runId: string;
  /** Refreshes the claim; throws when another run took it over (this one was presumed dead). */
  beat: (db?: Kysely<Database> | Transaction<Database>) => Promise<void>;
  /** False once another run has taken the claim over. */
  owned: () => Promise<boolean>;
  release: () => Promise<void>;
};

// In this process: the row alone cannot tell a second caller from the first on PGlite's one connection.
const local = new Set<string>();

/** The names being rebuilt by this process (status). */
export const rebuildsInProcess = (): string[] => [...local].sort();

/**
 * Claims the rebuild of `name` across processes (the row in projection_rebuilds) and in this one.
 * Two runs building the same shadow tables would swap in a mix of both: the second is refused (409).
 */
export async function claimRebuild(db: Kysely<Database>, name: string): Promise<RebuildLock> {
  if (local.has(name)) throw new RebuildRunningError(name);
  local.add(name);
  const runId = randomUUID();
  try {
    const claimed = await db
      .insertInto('projection_rebuilds')
      .values({ name, run_id: runId, started_at: sql`now()`, heartbeat_at: sql`now()` })
      .onConflict((oc) =>
        oc.column('name')
          .doUpdateSet({ run_id: runId, started_at: sql`now()`, heartbeat_at: sql`now()` })
          .where('projection_rebuilds.heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`))
      .returning('run_id')
      .executeTakeFirst();
    if (claimed?.run_id !== runId) throw new RebuildRunningError(name);
  } catch (error) {
    local.delete(name);
    throw error;
  }
  return {
    runId,
    async beat(on = db) {
      const beaten = await on
        .updateTable('projection_rebuilds')
        .set({ heartbeat_at: sql`now()` })
        .where('name', '=', name)
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (beaten.numUpdatedRows === 0n) throw new IllegalStateError(`the rebuild of ${name} was taken over by another process`);
    },
    async owned() {
      const row = await db.selectFrom('projection_rebuilds').select('run_id').where('name', '=', name).executeTakeFirst();
      return row?.run_id === runId;
    },
    async release() {
      local.delete(name);
      await db.deleteFrom('projection_rebuilds').where('name', '=', name).where('run_id', '=', runId).execute();
    },
  };
}

/** Rebuilds running anywhere (rows with a fresh heartbeat). */
export async function runningRebuilds(db: Kysely<Database>): Promise<{ name: string; startedAt: Date }[]> {
  const rows = await db
    .selectFrom('projection_rebuilds')
    .select(['name', 'started_at'])
    .where('heartbeat_at', '>=', sql<Date>`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ name: r.name, startedAt: new Date(r.started_at) }));
}
