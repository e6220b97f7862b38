import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID-shaped id derived from a natural key (RFC 9562 version 8 layout), so the same
 * certificate, key or name set gets the same id on every install and every replay.
 */
export function deterministicId(namespace: string, naturalKey: string): string {
  const hash = createHash('sha256').update(`${namespace}\0${naturalKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const ids = {
  certificate: (fingerprintSha256: string) => deterministicId('certificate', fingerprintSha256),
  caCertificate: (fingerprintSha256: string) => deterministicId('caCertificate', fingerprintSha256),
  caChain: (caFingerprintsSha256: readonly string[]) => deterministicId('caChain', caFingerprintsSha256.join(',')),
  privateKey: (spkiSha256: string) => deterministicId('privateKey', spkiSha256),
  uniqueFqdnSet: (domainNames: readonly string[]) => deterministicId('uniqueFqdnSet', domainNames.join(',')),
  domain: (domainName: string) => deterministicId('domain', domainName),
  random: (): string => randomUUID(),
} as const;
