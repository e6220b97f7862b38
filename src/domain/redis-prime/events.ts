/** Facts on the stream `redisPrime-global`: full primes asked for by an operator. */
import type { Event } from '../shared/event.js';

export type RedisPrimeWritten = Event<'RedisPrimeWritten', {
  /** Domains written (serving a certificate), distinct certificates, domains whose keys were deleted. */
  domains: number;
  certificates: number;
  removed: number;
  styles: (1 | 2)[];
  elapsedMs: number;
  primedAt: string;
}>;

export const REDIS_PRIME_EVENT_TYPES: readonly string[] = ['RedisPrimeWritten'];
