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
  options: { pageSize?: number; inFlight?: number; onProgress?: (done: number, result: FullPrimeResult) => void } = {},
): Promise<FullPrimeResult> {
  const pageSize = options.pageSize ?? 2_000;
  const inFlight = options.inFlight ?? 2;
  const started = performance.now();
  const certificates = new Set<string>();
  const result: FullPrimeResult = { domains: 0, certificates: 0, removed: 0, batches: 0, elapsedMs: 0 };
  const loadPage = (after: string) => servedPage(deps, after, pageSize);
  const writePage = async (page: Awaited<ReturnType<typeof loadPage>>) => {
    const pipeline = definePrimeCommands(deps.redis).pipeline();
    // c:/p:/i: are shared between the domains of a certificate: written once per page.
    queueDomains(pipeline, page.served, deps.options);
    checkResults(await pipeline.exec(), `full prime page ending "${page.names.at(-1)}"`);
    for (const cert of page.served.values()) {
      if (cert) {
        result.domains += 1;
        certificates.add(cert.certificateId);
      } else result.removed += 1;
    }
    result.batches += 1;
    options.onProgress?.(result.domains + result.removed, result);
  };
  // The next page is read from the database while Redis executes the pipelines of the ones
  // before, up to `inFlight` of them (Redis never waits for the client between two pages).
  const writing: Promise<void>[] = [];
  try {
    let pending: Promise<Awaited<ReturnType<typeof loadPage>> | null> = loadPage('');
    for (;;) {
      const page = await pending;
      if (!page || page.names.length === 0) break;
      pending = page.names.length < pageSize ? Promise.resolve(null) : loadPage(page.names.at(-1) as string);
      // Not left unhandled while pipelines are awaited; awaited at the top of the loop.
      pending.catch(() => undefined);
      const write = writePage(page);
      write.catch(() => undefined);
      writing.push(write);
      if (writing.length >= inFlight) await writing.shift();
    }
    for (const write of writing.splice(0)) await write;
  } finally {
    // A failure leaves nothing running behind the caller's back.
    await Promise.allSettled(writing);
  }
  result.certificates = certificates.size;
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}
