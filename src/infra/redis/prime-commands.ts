import type { ChainableCommander } from 'ioredis';
import type { PrimeTtls } from '../config.js';
import type { PrimeCertificate, PrimeStyle } from './prime-writer.js';

export type PrimeOptions = { styles: readonly PrimeStyle[]; ttlSeconds: PrimeTtls };

export const DEFAULT_PRIME_OPTIONS: PrimeOptions = { styles: [1, 2], ttlSeconds: {} };

const setString = (chain: ChainableCommander, key: string, value: string, ttl: number | undefined): void => {
  if (ttl === undefined) chain.set(key, value);
  else chain.set(key, value, 'EX', ttl);
};

const setHash = (chain: ChainableCommander, key: string, fields: Record<string, string>, ttl: number | undefined): void => {
  // DEL first: a hash is replaced as a whole, never merged with fields of an older certificate.
  chain.del(key);
  chain.hset(key, fields);
  if (ttl !== undefined) chain.expire(key, ttl);
};

/**
 * Queues the writes of one domain (DESIGN.md §5) on a MULTI or pipeline: its certificate in the
 * configured styles, or — when it serves nothing — the deletion of its `d1:`/`d2:` hashes, so nginx
 * never reads a domain pointing at a dead certificate. `c:`/`p:`/`i:` strings are shared by id
 * between domains and are left alone on deletion.
 */
export function queueDomain(
  chain: ChainableCommander,
  domainName: string,
  cert: PrimeCertificate | null,
  options: PrimeOptions,
  /** Shared keys already queued on this chain: skipped when a batch holds many domains of one certificate. */
  written?: Set<string>,
): void {
  const { styles, ttlSeconds: ttl } = options;
  if (!cert) {
    chain.del(`d1:${domainName}`, `d2:${domainName}`);
    return;
  }
  if (styles.includes(1)) {
    const once = (key: string, value: string, seconds: number | undefined) => {
      if (written?.has(key)) return;
      written?.add(key);
      setString(chain, key, value, seconds);
    };
    once(`c:${cert.certificateId}`, cert.certificatePem, ttl.c);
    once(`p:${cert.privateKeyId}`, cert.privateKeyPem, ttl.p);
    if (cert.chainId !== '') once(`i:${cert.chainId}`, cert.chainPem, ttl.i);
    setHash(chain, `d1:${domainName}`, { c: cert.certificateId, p: cert.privateKeyId, i: cert.chainId }, ttl.d1);
  } else {
    chain.del(`d1:${domainName}`);
  }
  if (styles.includes(2)) {
    setHash(chain, `d2:${domainName}`, { p: cert.privateKeyPem, f: cert.fullchainPem }, ttl.d2);
  } else {
    chain.del(`d2:${domainName}`);
  }
}

/** Fails on the first command error of an EXEC or pipeline result; null (a WATCH abort) is returned as false. */
export function checkResults(results: [Error | null, unknown][] | null, what: string): boolean {
  if (!results) return false;
  const failed = results.find(([error]) => error);
  if (failed) throw new Error(`Redis prime: ${what} failed`, { cause: failed[0] });
  return true;
}
