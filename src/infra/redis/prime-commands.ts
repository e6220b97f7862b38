import type { ChainableCommander, Redis, Result } from 'ioredis';
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

/**
 * The d1:/d2: hashes of many domains in one script call. Four commands per domain made the
 * client's command encoding the bound of a full prime; one call per 100 domains is ~4× less
 * client CPU for the same keys and values. Same semantics as queueDomain: each hash replaced
 * whole (DEL then HSET), EXPIRE when a TTL is set, a style that is off has its hash deleted.
 * ARGV: d1 TTL, d2 TTL (0: none), styles ("1", "2", "12"), then per domain c, p, i, key PEM, fullchain.
 */
const WRITE_DOMAINS_LUA = `
local d1ttl, d2ttl, styles = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local one, two = string.find(styles, '1', 1, true), string.find(styles, '2', 1, true)
for k = 1, #KEYS, 2 do
  local a = 3 + (k - 1) / 2 * 5
  redis.call('DEL', KEYS[k], KEYS[k + 1])
  if one then
    redis.call('HSET', KEYS[k], 'c', ARGV[a + 1], 'p', ARGV[a + 2], 'i', ARGV[a + 3])
    if d1ttl > 0 then redis.call('EXPIRE', KEYS[k], d1ttl) end
  end
  if two then
    redis.call('HSET', KEYS[k + 1], 'p', ARGV[a + 4], 'f', ARGV[a + 5])
    if d2ttl > 0 then redis.call('EXPIRE', KEYS[k + 1], d2ttl) end
  end
end
return #KEYS / 2`;

const SCRIPT_NAME = 'certledgerWriteDomains';
const DOMAINS_PER_CALL = 100;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    certledgerWriteDomains(numKeys: number, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

/**
 * Defines the script on a connection (idempotent). Pipelines and MULTIs get it only when created
 * after this; ioredis loads it on the server when a pipeline needs it (also after a Redis restart).
 */
export function definePrimeCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).certledgerWriteDomains !== 'function') redis.defineCommand(SCRIPT_NAME, { lua: WRITE_DOMAINS_LUA });
  return redis;
}

/**
 * queueDomain for many domains: shared c:/p:/i: strings once each, the hashes through the script
 * (the chain must come from a connection passed to definePrimeCommands), deletions in one DEL.
 */
export function queueDomains(
  chain: ChainableCommander,
  domains: Iterable<[string, PrimeCertificate | null]>,
  options: PrimeOptions,
  written: Set<string> = new Set(),
): void {
  const { styles, ttlSeconds: ttl } = options;
  const one = styles.includes(1);
  const two = styles.includes(2);
  const header = [String(ttl.d1 ?? 0), String(ttl.d2 ?? 0), `${one ? '1' : ''}${two ? '2' : ''}`];
  let keys: string[] = [];
  let args: string[] = [];
  let removed: string[] = [];
  const flush = () => {
    if (keys.length > 0) chain.certledgerWriteDomains(keys.length, ...keys, ...header, ...args);
    if (removed.length > 0) chain.del(...removed);
    keys = [];
    args = [];
    removed = [];
  };
  for (const [name, cert] of domains) {
    if (!cert) {
      removed.push(`d1:${name}`, `d2:${name}`);
    } else {
      if (one) {
        const once = (key: string, value: string, seconds: number | undefined) => {
          if (written.has(key)) return;
          written.add(key);
          setString(chain, key, value, seconds);
        };
        once(`c:${cert.certificateId}`, cert.certificatePem, ttl.c);
        once(`p:${cert.privateKeyId}`, cert.privateKeyPem, ttl.p);
        if (cert.chainId !== '') once(`i:${cert.chainId}`, cert.chainPem, ttl.i);
      }
      keys.push(`d1:${name}`, `d2:${name}`);
      // Values of a style that is off are not sent.
      args.push(one ? cert.certificateId : '', one ? cert.privateKeyId : '', one ? cert.chainId : '', two ? cert.privateKeyPem : '', two ? cert.fullchainPem : '');
    }
    if (keys.length >= DOMAINS_PER_CALL * 2 || removed.length >= DOMAINS_PER_CALL * 2) flush();
  }
  flush();
}

/** Fails on the first command error of an EXEC or pipeline result; null (a WATCH abort) is returned as false. */
export function checkResults(results: [Error | null, unknown][] | null, what: string): boolean {
  if (!results) return false;
  const failed = results.find(([error]) => error);
  if (failed) throw new Error(`Redis prime: ${what} failed`, { cause: failed[0] });
  return true;
}
