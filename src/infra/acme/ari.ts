/**
 * ACME Renewal Information (RFC 9773): the certificate identifier (§4.1), the renewalInfo
 * resource (§4.2) and its parsing. The timing decisions are pure and live in src/domain/ari.
 */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AcmeTransportError } from './errors.js';
import type { AcmeResponse, AcmeTransport } from './http.js';
import type { RetryAfter } from './retry-after.js';

export class AriError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AriError';
  }
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/**
 * §4.1: the serial as the *contents* of its DER INTEGER — minimal two's complement, so a
 * serial whose first bit is set gets a leading 0x00 (the RFC's example: 00 87 65 43 21).
 */
export function serialDerBytes(serialHex: string): Uint8Array {
  let hex = serialHex.replace(/[^0-9a-f]/gi, '').toLowerCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.subarray(1);
  if (bytes.length === 0) return Uint8Array.of(0);
  return (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

/** §4.1 from the two parts, hex-encoded. */
export function ariIdentifierFromParts(authorityKeyIdHex: string, serialHex: string): string {
  const aki = Buffer.from(authorityKeyIdHex.replace(/[^0-9a-f]/gi, ''), 'hex');
  if (aki.length === 0) throw new AriError('the Authority Key Identifier keyIdentifier is empty (RFC 9773 §4.1)');
  return `${base64url(aki)}.${base64url(serialDerBytes(serialHex))}`;
}

/** §4.1: base64url(AKI keyIdentifier) "." base64url(serial DER bytes), without padding. */
export function ariCertificateIdentifier(certificate: string | Uint8Array): string {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(typeof certificate === 'string' ? certificate : Uint8Array.from(certificate));
  } catch (error) {
    throw new AriError('not a certificate', { cause: error });
  }
  const keyId = cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  // §4.1: a certificate without the AKI keyIdentifier has no ARI identifier.
  if (!keyId) throw new AriError('the certificate has no Authority Key Identifier keyIdentifier (RFC 9773 §4.1)');
  return ariIdentifierFromParts(keyId, cert.serialNumber);
}

export type SuggestedWindow = { start: string; end: string };

export type RenewalInfo = {
  suggestedWindow: SuggestedWindow;
  explanationUrl?: string;
};

const isoOf = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** §4.2: a window whose end is not after its start is invalid; the client then ignores the answer. */
export function parseRenewalInfo(body: unknown): RenewalInfo {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const window = (typeof record.suggestedWindow === 'object' && record.suggestedWindow !== null ? record.suggestedWindow : {}) as Record<string, unknown>;
  const start = isoOf(window.start);
  const end = isoOf(window.end);
  if (start === undefined || end === undefined) throw new AriError('renewalInfo has no valid suggestedWindow start and end (RFC 9773 §4.2)');
  if (Date.parse(end) <= Date.parse(start)) throw new AriError('renewalInfo suggestedWindow ends before it starts (RFC 9773 §4.2)');
  const info: RenewalInfo = { suggestedWindow: { start, end } };
  if (typeof record.explanationURL === 'string' && /^https?:\/\//i.test(record.explanationURL)) info.explanationUrl = record.explanationURL;
  return info;
}

export type FetchedRenewalInfo = RenewalInfo & { retryAfter: RetryAfter | undefined; response: AcmeResponse };

/** GET {renewalInfo}/{identifier} (§4.2); AcmeProblem for 4xx/5xx (a 503 keeps its Retry-After). */
export async function fetchRenewalInfo(transport: AcmeTransport, identifier: string, options: { signal?: AbortSignal } = {}): Promise<FetchedRenewalInfo> {
  const { renewalInfo } = await transport.directory();
  if (renewalInfo === undefined) throw new AriError(`the ACME server at ${transport.directoryUrl} does not offer renewalInfo (RFC 9773 §3)`);
  const url = `${renewalInfo.replace(/\/+$/, '')}/${identifier}`;
  const response = await transport.get(url, { kind: 'renewalInfo', accept: 'application/json', ...(options.signal ? { signal: options.signal } : {}) });
  if (response.status !== 200) throw new AcmeTransportError('protocol', 'GET', url, `renewalInfo answered ${response.status}, expected 200 (RFC 9773 §4.2)`);
  return { ...parseRenewalInfo(response.body), retryAfter: response.retryAfter, response };
}
