/** Key authorizations (RFC 8555 §8.1) and what each challenge type publishes from them. */
import { createHash } from 'node:crypto';

/** §8.1: `token || '.' || base64url(Thumbprint(accountKey))`. */
export function keyAuthorization(token: string, accountThumbprint: string): string {
  return `${token}.${accountThumbprint}`;
}

/** §8.4: the `_acme-challenge` TXT record value, base64url(SHA-256(key authorization)). */
export function dns01TxtValue(keyAuthorizationValue: string): string {
  return createHash('sha256').update(keyAuthorizationValue, 'utf8').digest('base64url');
}

/** §8.4: where the dns-01 TXT record goes (a wildcard's `*.` is not part of it). */
export function dns01RecordName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/^\*\./, '').replace(/\.$/, '')}`;
}
