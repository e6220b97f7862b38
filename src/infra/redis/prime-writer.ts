import type { Redis } from 'ioredis';
import { checkResults, DEFAULT_PRIME_OPTIONS, queueDomain, type PrimeOptions } from './prime-commands.js';

export type PrimeCertificate = {
  certificateId: string;
  certificatePem: string;
  privateKeyId: string;
  privateKeyPem: string;
  chainId: string;
  chainPem: string;
  fullchainPem: string;
};

export type PrimeStyle = 1 | 2;

/**
 * Writes one domain the way lua-resty-peter_sslers reads it (DESIGN.md §5), in the configured
 * styles and TTLs, in one MULTI, so nginx never reads a domain pointing at a key not yet written.
 */
export async function primeDomain(redis: Redis, domainName: string, cert: PrimeCertificate, options: PrimeOptions = DEFAULT_PRIME_OPTIONS): Promise<void> {
  const multi = redis.multi();
  queueDomain(multi, domainName, cert, options);
  checkResults(await multi.exec(), `writing ${domainName}`);
}
