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
 * The keys of many domains in one script call, grouped by certificate: a certificate's strings
 * travel once however many domains name it (10 in the bench corpus), and Redis copies them into
 * each domain's hash — ~10× fewer bytes to encode, send and parse than one set per domain. Same
 * semantics as queueDomain: each hash replaced whole (DEL then HSET), EXPIRE when a TTL is set, a
 * style that is off has its hash deleted, c:/p:/i: set (with their TTL) unless already queued.
 * ARGV: TTLs of d1, d2, c, p, i (0: none), styles ("1", "2", "12"), then per certificate: domain
 * count, strings to set ("c", "p", "i" flags), c id, p id, i id, certificate, key, chain and
 * fullchain PEMs. KEYS per certificate: the flagged c:/p:/i: keys, then d1:, d2: of each domain.
 */
const WRITE_CERTIFICATES_LUA = `
local ttl = { d1 = tonumber(ARGV[1]), d2 = tonumber(ARGV[2]), c = tonumber(ARGV[3]), p = tonumber(ARGV[4]), i = tonumber(ARGV[5]) }
local one, two = string.find(ARGV[6], '1', 1, true), string.find(ARGV[6], '2', 1, true)
local k, a = 1, 7
local function set(kind, value)
  if ttl[kind] > 0 then redis.call('SET', KEYS[k], value, 'EX', ttl[kind]) else redis.call('SET', KEYS[k], value) end
  k = k + 1
end
while a <= #ARGV do
  local n, strings = tonumber(ARGV[a]), ARGV[a + 1]
  local c, p, i, cpem, ppem, ipem, fpem = ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8]
  a = a + 9
  if string.find(strings, 'c', 1, true) then set('c', cpem) end
  if string.find(strings, 'p', 1, true) then set('p', ppem) end
  if string.find(strings, 'i', 1, true) then set('i', ipem) end
  for _ = 1, n do
    redis.call('DEL', KEYS[k], KEYS[k + 1])
    if one then
      redis.call('HSET', KEYS[k], 'c', c, 'p', p, 'i', i)
      if ttl.d1 > 0 then redis.call('EXPIRE', KEYS[k], ttl.d1) end
    end
    if two then
      redis.call('HSET', KEYS[k + 1], 'p', ppem, 'f', fpem)
      if ttl.d2 > 0 then redis.call('EXPIRE', KEYS[k + 1], ttl.d2) end
    end
    k = k + 2
  end
end
return k - 1`;

const SCRIPT_NAME = 'certledgerWriteCertificates';
/** Domains per script call: Redis runs a script alone, so a call stays short (~1 ms). */
const DOMAINS_PER_CALL = 100;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    certledgerWriteCertificates(numKeys: number, ...keysAndArgs: string[]): Result<number, Context>;
  }
}

/**
 * Defines the script on a connection (idempotent). Pipelines and MULTIs get it only when created
 * after this; ioredis loads it on the server when a pipeline needs it (also after a Redis restart).
 */
export function definePrimeCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).certledgerWriteCertificates !== 'function') redis.defineCommand(SCRIPT_NAME, { lua: WRITE_CERTIFICATES_LUA });
  return redis;
}

/** Certificates with the same ids carry the same PEMs: one group each. */
const groupOf = (cert: PrimeCertificate): string => `${cert.certificateId}\n${cert.privateKeyId}\n${cert.chainId}`;

/**
 * queueDomain for many domains: the domains of each certificate through one script call per
 * ~100 domains (the chain must come from a connection passed to definePrimeCommands), shared
 * c:/p:/i: strings once per chain (`written`), deletions in one DEL.
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
  const header = [ttl.d1, ttl.d2, ttl.c, ttl.p, ttl.i].map((t) => String(t ?? 0));
  header.push(`${one ? '1' : ''}${two ? '2' : ''}`);
  let groups = new Map<string, { cert: PrimeCertificate; names: string[] }>();
  let count = 0;
  let removed: string[] = [];
  const flush = () => {
    if (groups.size > 0) {
      const keys: string[] = [];
      const args = [...header];
      for (const { cert, names } of groups.values()) {
        let strings = '';
        const once = (flag: string, key: string) => {
          if (!one || written.has(key)) return;
          written.add(key);
          strings += flag;
          keys.push(key);
        };
        once('c', `c:${cert.certificateId}`);
        once('p', `p:${cert.privateKeyId}`);
        if (cert.chainId !== '') once('i', `i:${cert.chainId}`);
        for (const name of names) keys.push(`d1:${name}`, `d2:${name}`);
        // Values no key needs are not sent.
        args.push(String(names.length), strings, one ? cert.certificateId : '', one ? cert.privateKeyId : '', one ? cert.chainId : '',
          strings.includes('c') ? cert.certificatePem : '', strings.includes('p') || two ? cert.privateKeyPem : '',
          strings.includes('i') ? cert.chainPem : '', two ? cert.fullchainPem : '');
      }
      chain.certledgerWriteCertificates(keys.length, ...keys, ...args);
    }
    if (removed.length > 0) chain.del(...removed);
    groups = new Map();
    count = 0;
    removed = [];
  };
  for (const [name, cert] of domains) {
    if (!cert) {
      removed.push(`d1:${name}`, `d2:${name}`);
    } else {
      const key = groupOf(cert);
      const group = groups.get(key);
      if (group) group.names.push(name);
      else groups.set(key, { cert, names: [name] });
      count += 1;
    }
    if (count >= DOMAINS_PER_CALL || removed.length >= DOMAINS_PER_CALL * 2) flush();
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
