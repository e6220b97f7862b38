import type { Redis } from 'ioredis';
import { checkResults, queueDomain, type PrimeOptions } from '../../infra/redis/prime-commands.js';
import { servedCertificate, type ServedDeps } from './served.js';

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
export async function fullPrime(deps: ServedDeps & { redis: Redis; options: PrimeOptions }, pageSize = 500): Promise<FullPrimeResult> {
  const started = performance.now();
  const certificates = new Set<string>();
  const result: FullPrimeResult = { domains: 0, certificates: 0, removed: 0, batches: 0, elapsedMs: 0 };
  let after = '';
  for (;;) {
    const page = await deps.db
      .selectFrom('domains')
      .select('domain_name')
      .where('domain_name', '>', after)
      .orderBy('domain_name')
      .limit(pageSize)
      .execute();
    if (page.length === 0) break;
    const pipeline = deps.redis.pipeline();
    for (const { domain_name: name } of page) {
      const cert = await servedCertificate(deps, name);
      queueDomain(pipeline, name, cert, deps.options);
      if (cert) {
        result.domains += 1;
        certificates.add(cert.certificateId);
      } else result.removed += 1;
    }
    checkResults(await pipeline.exec(), `full prime page after "${after}"`);
    result.batches += 1;
    after = (page.at(-1) as { domain_name: string }).domain_name;
    if (page.length < pageSize) break;
  }
  result.certificates = certificates.size;
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}
