/**
 * Anti-replay nonces (RFC 8555 §6.5). Every response carries a fresh `Replay-Nonce` — error
 * responses too (§6.5: a badNonce answer includes one to retry with) — so the pool is fed from
 * every exchange and `newNonce` (§7.2) is asked only when it runs dry.
 */

/** §6.5.1: base64url, no padding. */
const NONCE = /^[A-Za-z0-9_-]+$/;

export type NoncePool = {
  /** A nonce nobody else will get: from the pool, else a fresh one from `newNonce`. */
  take(): Promise<string>;
  /** Keep a nonce from a response; invalid or missing values are ignored. */
  offer(nonce: string | undefined): void;
  clear(): void;
  readonly size: number;
};

export function isValidNonce(nonce: string): boolean {
  return NONCE.test(nonce);
}

/**
 * `fetchNonce` performs the HEAD newNonce request. Concurrent takers on an empty pool each
 * fetch their own: one response holds one nonce, and a nonce used twice is a badNonce.
 * Newest first, since servers expire old nonces; `max` bounds the pool.
 */
export function createNoncePool(fetchNonce: () => Promise<string>, options: { max?: number } = {}): NoncePool {
  const max = options.max ?? 32;
  const nonces: string[] = [];
  return {
    async take() {
      return nonces.pop() ?? fetchNonce();
    },
    offer(nonce) {
      if (nonce === undefined || !isValidNonce(nonce) || nonces.includes(nonce)) return;
      nonces.push(nonce);
      if (nonces.length > max) nonces.shift();
    },
    clear() {
      nonces.length = 0;
    },
    get size() {
      return nonces.length;
    },
  };
}
