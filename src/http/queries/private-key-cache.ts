import type { KeyVault } from '../../infra/key-vault/port.js';
import { toPem } from '../../infra/x509/pem.js';

/**
 * Decrypted private keys as PEM, in memory only, per vault, least recently used first out.
 * A private key id names one key for good (it is derived from the key's public half), so an
 * entry is never stale in content; whether it may still be served (not shredded) is the caller's
 * check, read with the same query that found the certificate.
 */
export const PRIVATE_KEY_CACHE_BYTES = 16 * 1024 * 1024;

type Cache = { entries: Map<string, string>; bytes: number };

const caches = new WeakMap<KeyVault, Cache>();

const cacheOf = (vault: KeyVault): Cache => {
  let cache = caches.get(vault);
  if (!cache) {
    cache = { entries: new Map(), bytes: 0 };
    caches.set(vault, cache);
  }
  return cache;
};

/** The PEM of a key the caller has just seen live in the vault; decrypts on a miss. */
export async function cachedPrivateKeyPem(vault: KeyVault, privateKeyId: string): Promise<string> {
  const cache = cacheOf(vault);
  const hit = cache.entries.get(privateKeyId);
  if (hit !== undefined) {
    cache.entries.delete(privateKeyId);
    cache.entries.set(privateKeyId, hit);
    return hit;
  }
  const pem = toPem('PRIVATE KEY', await vault.get(privateKeyId));
  if (!cache.entries.has(privateKeyId)) {
    cache.entries.set(privateKeyId, pem);
    cache.bytes += pem.length;
  }
  for (const [id, old] of cache.entries) {
    if (cache.bytes <= PRIVATE_KEY_CACHE_BYTES) break;
    cache.entries.delete(id);
    cache.bytes -= old.length;
  }
  return pem;
}

/** Drops a key that is no longer served (shredded, or gone from the vault). */
export function forgetPrivateKey(vault: KeyVault, privateKeyId: string): void {
  const cache = caches.get(vault);
  const pem = cache?.entries.get(privateKeyId);
  if (cache && pem !== undefined) {
    cache.entries.delete(privateKeyId);
    cache.bytes -= pem.length;
  }
}

/** How many keys are held (tests). */
export const cachedPrivateKeyCount = (vault: KeyVault): number => caches.get(vault)?.entries.size ?? 0;
