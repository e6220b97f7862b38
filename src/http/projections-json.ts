import type { ProjectionStatusRow } from '../projections/rebuild/status.js';
import type { RebuildOutcome } from '../projections/rebuild/run.js';

const str = (value: bigint | null): string | null => (value === null ? null : value.toString());

/** One rebuild as the API and `certledger projections rebuild --json` report it (snake_case, positions as strings). */
export function rebuildJson(outcome: RebuildOutcome) {
  if (outcome.kind === 'redis') {
    return {
      name: outcome.name, kind: outcome.kind, position: outcome.position.toString(), domains: outcome.domains, certificates: outcome.certificates,
      removed: outcome.removed, stale_keys: outcome.staleKeys, elapsed_ms: outcome.elapsedMs, domains_per_second: outcome.domainsPerSecond,
    };
  }
  return {
    name: outcome.name, kind: outcome.kind, version: outcome.version, position: outcome.position.toString(), events: outcome.events,
    elapsed_ms: outcome.elapsedMs, events_per_second: outcome.eventsPerSecond, swap_attempts: outcome.swapAttempts,
  };
}

/** Every rebuild of a run, with the totals: events replayed into SQL tables and their rate. */
export function rebuildsJson(outcomes: readonly RebuildOutcome[]) {
  const sqlRuns = outcomes.filter((o) => o.kind === 'sql');
  const events = sqlRuns.reduce((n, o) => n + o.events, 0);
  // The SQL projections of one run are rebuilt together from one start: their time is the longest one.
  const sqlMs = sqlRuns.reduce((n, o) => Math.max(n, o.elapsedMs), 0);
  const elapsedMs = outcomes.reduce((n, o) => n + (o.kind === 'sql' ? 0 : o.elapsedMs), sqlMs);
  return {
    results: outcomes.map(rebuildJson),
    events,
    elapsed_ms: elapsedMs,
    events_per_second: sqlMs > 0 ? Math.round((events * 1000) / sqlMs) : null,
  };
}

export function statusJson(row: ProjectionStatusRow) {
  return {
    name: row.name, version: row.version, stored_version: row.storedVersion, position: str(row.position), lag: str(row.lag),
    updated_at: row.updatedAt, last_error: row.lastError, rebuilding_since: row.rebuildingSince,
  };
}
