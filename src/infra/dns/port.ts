/**
 * The DNS provider port for dns-01 (RFC 8555 §8.4): put a TXT value at
 * `_acme-challenge.<name>` and take that one value away again. Several values may sit on one
 * name at once (a wildcard and its apex share `_acme-challenge.<apex>`), so both calls name
 * the value and never touch the others. Both are idempotent: a retry after a crash is safe.
 */
export type DnsProviderKind = 'challtestsrv' | 'acme-dns' | 'rfc2136';

export interface DnsProvider {
  readonly kind: DnsProviderKind;
  /**
   * `cleanupToken` is plain, non-secret text to keep with the challenge (events are fine):
   * where the value was written (zone and server, acme-dns subdomain…). The adapters here
   * clean up by (recordName, value) alone; an adapter whose API hands out record ids would
   * carry them in it.
   */
  setTxt(recordName: string, value: string): Promise<{ cleanupToken: string }>;
  removeTxt(recordName: string, value: string): Promise<void>;
}
