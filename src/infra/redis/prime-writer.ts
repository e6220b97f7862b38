import type { Redis } from 'ioredis';

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
 * Writes one domain the way lua-resty-peter_sslers reads it (DESIGN.md §5):
 * style 1 `d1:{domain}` → ids plus `c:`/`p:`/`i:` PEM strings; style 2 `d2:{domain}` → key and fullchain.
 * One MULTI, so nginx never reads a domain pointing at a key not yet written.
 */
export async function primeDomain(redis: Redis, domainName: string, cert: PrimeCertificate, styles: readonly PrimeStyle[] = [1, 2]): Promise<void> {
  const multi = redis.multi();
  if (styles.includes(1)) {
    multi.set(`c:${cert.certificateId}`, cert.certificatePem);
    multi.set(`p:${cert.privateKeyId}`, cert.privateKeyPem);
    multi.set(`i:${cert.chainId}`, cert.chainPem);
    multi.hset(`d1:${domainName}`, { c: cert.certificateId, p: cert.privateKeyId, i: cert.chainId });
  }
  if (styles.includes(2)) {
    multi.hset(`d2:${domainName}`, { p: cert.privateKeyPem, f: cert.fullchainPem });
  }
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw new Error(`Redis prime of ${domainName} failed`, { cause: failed?.[0] ?? undefined });
}
