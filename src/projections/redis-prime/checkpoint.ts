import type { Redis } from 'ioredis';

/** Lives in the prime's own database, beside the keys it vouches for; it never expires. */
export const PRIME_CHECKPOINT_KEY = 'certledger:prime:checkpoint';

export async function readPrimeCheckpoint(redis: Redis): Promise<bigint> {
  const stored = await redis.get(PRIME_CHECKPOINT_KEY);
  if (stored === null) return 0n;
  if (!/^\d+$/.test(stored)) throw new Error(`Redis prime checkpoint is not a position: ${PRIME_CHECKPOINT_KEY}`);
  return BigInt(stored);
}
