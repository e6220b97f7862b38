/**
 * DNS provider failures. Messages name the provider, the server and what it answered —
 * never a TSIG secret or an acme-dns password (callers log and show them as they are).
 */
import type { DnsProviderKind } from './port.js';

export type DnsProviderFailure = 'refused' | 'unreachable' | 'timeout' | 'bad_response' | 'unknown_name';

export class DnsProviderError extends Error {
  readonly code: `dns_${DnsProviderFailure}`;
  constructor(
    readonly provider: DnsProviderKind,
    readonly failure: DnsProviderFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = new.target.name;
    this.code = `dns_${failure}`;
  }
}

/**
 * The server answered and said no. For RFC 2136, `rcode` is the DNS RCODE name (RFC 1035
 * §4.1.1, RFC 2136 §2.2: NOTAUTH, REFUSED, NOTZONE…) and `tsigError` the TSIG error (RFC 8945
 * §5.2: BADSIG, BADKEY, BADTIME) when there is one; for HTTP APIs, `rcode` is the HTTP status
 * and the API's error word.
 */
export class DnsUpdateRefusedError extends DnsProviderError {
  constructor(
    provider: DnsProviderKind,
    readonly rcode: string,
    message: string,
    readonly tsigError?: string,
  ) {
    super(provider, 'refused', message);
  }
}
