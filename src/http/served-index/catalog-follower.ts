import type { Logger } from '../../infra/logger.js';
import { ProjectionTimeoutError } from '../../projections/wait-for-position.js';
import type { ProjectionsView } from '../app-deps.js';

/** The catalog projection's checkpoint as this process sees it now (one status read). */
export const catalogPosition = (projections: ProjectionsView): bigint | undefined => {
  const all = projections.status();
  return Array.isArray(all) ? all.find((p) => p.name === 'catalog')?.position : undefined;
};

export type CatalogFollower = {
  /** The checkpoint as of its last advance; undefined while not following (serve nothing from memory then). */
  position: () => bigint | undefined;
  start: () => void;
  stop: () => void;
};

/**
 * The catalog checkpoint as of its last advance, so a lookup compares two values instead of
 * reading every projection's status. waitFor's waiters are woken inside the report itself, and
 * this continuation runs before the next I/O callback: no request can see a report before it
 * has been noted here.
 */
export function followCatalog(projections: ProjectionsView, onAdvance: () => void, logger: Pick<Logger, 'warn'>, retryMs: number): CatalogFollower {
  let known: bigint | undefined;
  let following = false;
  const follow = async (): Promise<void> => {
    while (following) {
      known = catalogPosition(projections);
      try {
        await projections.waitFor((known ?? 0n) + 1n, { projections: ['catalog'], timeoutMs: 5_000 });
        if (following) onAdvance();
      } catch (error) {
        if (error instanceof ProjectionTimeoutError) continue;
        known = undefined;
        logger.warn('served index cannot follow the catalog checkpoint; lookups read the database', { error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    known = undefined;
  };
  return {
    position: () => known,
    start() {
      if (following) return;
      following = true;
      void follow();
    },
    stop() {
      following = false;
      known = undefined;
    },
  };
}
