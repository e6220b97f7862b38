import type { Redis } from 'ioredis';
import { checkResults, definePrimeCommands, queueDomains, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import { servedPage, type ServedDeps } from './served.js';

export type FullPrimeResult = {
  /** Domains written (serving a certificate). */
  domains: number;
  /** Distinct certificates written. */
  certificates: number;
  /** Domains whose d1:/d2: keys were deleted: inactive, or no active certificate. */
  removed: number;
  batches: number;
  elapsedMs: number;
};

/**
 * Writes every domain of the catalog, one pipeline per page of domains (no MULTI: each domain's
 * keys are self-consistent, and a partial run is simply repeated). The projection's checkpoint
 * is left alone: its next batches rewrite what they touch, which is idempotent.
 */
export async function fullPrime(
  deps: ServedDeps & { redis: Redis; options: PrimeOptions },
  options: { pageSize?: number; onProgress?: (done: number, result: FullPrimeResult) => void } = {},
): Promise<FullPrimeResult> {
  const pageSize = options.pageSize ?? 2_000;
  const started = performance.now();
  const certificates = new Set<string>();
  const result: FullPrimeResult = { domains: 0, certificates: 0, removed: 0, batches: 0, elapsedMs: 0 };
  const loadPage = (after: string) => servedPage(deps, after, pageSize);
  // The next page is read from the database while Redis executes this one.
  let pending: Promise<Awaited<ReturnType<typeof loadPage>> | null> = loadPage('');
  for (;;) {
    const page = await pending;
    if (!page || page.names.length === 0) break;
    const last = page.names.at(-1) as string;
    pending = page.names.length < pageSize ? Promise.resolve(null) : loadPage(last);
    // Not left unhandled while this page's pipeline runs; awaited at the top of the loop.
    pending.catch(() => undefined);
    const pipeline = definePrimeCommands(deps.redis).pipeline();
    // c:/p:/i: are shared between the domains of a certificate: written once per page.
    queueDomains(pipeline, page.served, deps.options);
    for (const cert of page.served.values()) {
      if (cert) {
        result.domains += 1;
        certificates.add(cert.certificateId);
      } else result.removed += 1;
    }
    checkResults(await pipeline.exec(), `full prime page ending "${last}"`);
    result.batches += 1;
    options.onProgress?.(result.domains + result.removed, result);
  }
  result.certificates = certificates.size;
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}
