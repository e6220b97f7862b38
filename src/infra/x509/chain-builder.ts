/**
 * Chain building (RFC 4158 in miniature): from a pool of known CA certificates, every path that
 * signs a certificate, upwards until a self-signed root or until no known CA issues the last one.
 * Cross-signed intermediates (same subject and key, different issuers) give one path each.
 */
import type { ParsedCertificate } from './certificate.js';
import { isSignedBy } from './verify.js';

export type TrustPath = {
  /** Issuer of the certificate first, then upwards. */
  caCertificates: ParsedCertificate[];
  /** The last element is a self-signed root; otherwise the path stops where no issuer is known. */
  endsAtRoot: boolean;
};

export type ChainBuildLimits = { maxDepth: number; maxPaths: number };

/** Real hierarchies are 2-4 deep with a handful of cross-signs; the limits only stop pathological pools. */
const DEFAULT_LIMITS: ChainBuildLimits = { maxDepth: 8, maxPaths: 32 };

type Tail = { certificates: ParsedCertificate[]; endsAtRoot: boolean };

class PathFinder {
  private readonly verified = new Map<string, Promise<boolean>>();

  constructor(private readonly pool: readonly ParsedCertificate[], private readonly limits: ChainBuildLimits) {}

  /** Candidates by name (and key identifiers when both sides carry them), then proved by signature. */
  async issuersOf(cert: ParsedCertificate): Promise<ParsedCertificate[]> {
    const candidates = this.pool.filter((ca) =>
      ca.isCa
      && ca.fingerprintSha256 !== cert.fingerprintSha256
      && ca.subject.toLowerCase() === cert.issuer.toLowerCase()
      && (!cert.authorityKeyId || !ca.subjectKeyId || cert.authorityKeyId === ca.subjectKeyId));
    const proved = await Promise.all(candidates.map((ca) => this.signs(ca, cert)));
    return candidates.filter((_, index) => proved[index]);
  }

  private signs(issuer: ParsedCertificate, cert: ParsedCertificate): Promise<boolean> {
    const key = `${issuer.fingerprintSha256}>${cert.fingerprintSha256}`;
    let result = this.verified.get(key);
    if (!result) {
      result = isSignedBy(cert, issuer);
      this.verified.set(key, result);
    }
    return result;
  }

  /** Every way up from `cert`; `onPath` holds the fingerprints already used, so no path loops. */
  async tails(cert: ParsedCertificate, onPath: ReadonlySet<string>, depth: number): Promise<Tail[]> {
    if (cert.isSelfSigned) return [{ certificates: [], endsAtRoot: true }];
    if (depth >= this.limits.maxDepth) return [{ certificates: [], endsAtRoot: false }];
    const issuers = (await this.issuersOf(cert)).filter((issuer) => !onPath.has(issuer.fingerprintSha256));
    if (issuers.length === 0) return [{ certificates: [], endsAtRoot: false }];
    const found: Tail[] = [];
    for (const issuer of issuers) {
      const above = await this.tails(issuer, new Set([...onPath, issuer.fingerprintSha256]), depth + 1);
      for (const tail of above) {
        if (found.length >= this.limits.maxPaths) return found;
        found.push({ certificates: [issuer, ...tail.certificates], endsAtRoot: tail.endsAtRoot });
      }
    }
    return found;
  }
}

const fingerprints = (path: readonly ParsedCertificate[]): string => path.map((c) => c.fingerprintSha256).join(',');

/** Complete paths first, then shorter ones, then a stable order by fingerprints (the same on every run). */
const byPreference = (a: TrustPath, b: TrustPath): number =>
  Number(b.endsAtRoot) - Number(a.endsAtRoot)
  || a.caCertificates.length - b.caCertificates.length
  || fingerprints(a.caCertificates).localeCompare(fingerprints(b.caCertificates));

/** Every trust path of `cert` through `pool`; none when no known CA certificate issues it. */
export async function buildTrustPaths(
  cert: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  limits: ChainBuildLimits = DEFAULT_LIMITS,
): Promise<TrustPath[]> {
  const unique = [...new Map(pool.map((ca) => [ca.fingerprintSha256, ca])).values()];
  const tails = await new PathFinder(unique, limits).tails(cert, new Set([cert.fingerprintSha256]), 0);
  return tails
    .filter((tail) => tail.certificates.length > 0)
    .map((tail) => ({ caCertificates: tail.certificates, endsAtRoot: tail.endsAtRoot }))
    .sort(byPreference);
}

/**
 * A trust path as a server sends it: without the self-signed root (clients hold their roots, and
 * that is how CAs hand out chains), unless the root signed the certificate directly.
 */
export function servedChain(path: TrustPath): ParsedCertificate[] {
  return path.endsAtRoot && path.caCertificates.length > 1 ? path.caCertificates.slice(0, -1) : [...path.caCertificates];
}

/** The chains to link for a certificate imported without one: each served chain once, the preferred first. */
export async function buildChains(cert: ParsedCertificate, pool: readonly ParsedCertificate[]): Promise<ParsedCertificate[][]> {
  const chains = new Map<string, ParsedCertificate[]>();
  for (const path of await buildTrustPaths(cert, pool)) {
    const chain = servedChain(path);
    chains.set(fingerprints(chain), chains.get(fingerprints(chain)) ?? chain);
  }
  return [...chains.values()];
}

/** The known CA certificates that provably issued `cert` (name, key identifiers and signature). */
export function findIssuers(cert: ParsedCertificate, pool: readonly ParsedCertificate[]): Promise<ParsedCertificate[]> {
  return new PathFinder(pool, DEFAULT_LIMITS).issuersOf(cert);
}
