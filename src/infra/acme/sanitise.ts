/**
 * What of a response body goes into an exchange record (and so into the event log for good).
 *
 * - JSON (`application/json`, `application/problem+json`): kept, with anything secret removed
 *   although ACME servers send none: private JWK members (`d`, `p`, `q`, `dp`, `dq`, `qi`,
 *   `oth`, `k`) are dropped, members named like secrets (password, secret, private key, MAC
 *   key, HMAC) become "[redacted]", and any string holding a PEM private key is replaced.
 *   Bodies over 64 KiB (a long order list) are replaced by their size and SHA-256.
 * - `application/pem-certificate-chain`: only the SHA-256 of each certificate's DER. The
 *   certificates are enrolled in the catalog by their own events; the digests tie the
 *   exchange to them without storing every PEM twice.
 * - Other text (an HTML error page from a proxy): the first 2 KiB, private keys redacted.
 * - Empty bodies: nothing.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from './exchange.js';
import { pemSha256 } from './pem-chains.js';

const MAX_JSON_BYTES = 64 * 1024;
const MAX_TEXT_CHARS = 2048;
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);
const SECRET_NAME = /secret|passw|passphrase|private.?key|mac.?key|hmac/i;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
export const REDACTED = '[redacted]';

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

export function isJsonContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || type.endsWith('+json');
}

function redactText(text: string): string {
  return text.replace(PRIVATE_KEY_PEM, '[redacted private key]');
}

function sanitiseJson(value: unknown): JsonValue {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map(sanitiseJson);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const isJwk = typeof record.kty === 'string';
    const out: Record<string, JsonValue> = {};
    for (const [name, member] of Object.entries(record)) {
      if (isJwk && PRIVATE_JWK_MEMBERS.has(name)) continue;
      out[name] = SECRET_NAME.test(name) ? REDACTED : sanitiseJson(member);
    }
    return out;
  }
  return null; // undefined, functions, bigint: not JSON
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The record form of a response body; `json` is the parsed body when it was JSON. */
export function sanitiseResponseBody(contentType: string | undefined, text: string, json?: unknown): JsonValue | undefined {
  if (text === '') return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (json !== undefined) {
    if (bytes > MAX_JSON_BYTES) return { omitted: 'too large', bytes, sha256: sha256Hex(text) };
    return sanitiseJson(json);
  }
  if (mediaType(contentType) === 'application/pem-certificate-chain' || /^\s*-----BEGIN CERTIFICATE-----/.test(text)) {
    const certificates = text.match(CERTIFICATE_PEM) ?? [];
    return { pemCertificateChain: { certificateSha256: certificates.map(pemSha256), bytes } };
  }
  const redacted = redactText(text);
  return { text: redacted.slice(0, MAX_TEXT_CHARS), bytes, truncated: redacted.length > MAX_TEXT_CHARS };
}
