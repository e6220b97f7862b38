/** What a request's kind decides: whether a failed try may be replayed, and how it is signed. */
import type { AcmeRequestKind } from './exchange.js';
import type { AcmePayload, AcmeSigner } from './signer.js';

/**
 * Kinds a replay cannot make happen twice: reads (GET directory, HEAD newNonce, POST-as-GET
 * per §6.3), newAccount and accountLookup (§7.3.1: the same key finds the same account), and
 * accountUpdate (setting the same contact again). Never newOrder, finalize, challengeResponse,
 * keyChange, revokeCert or deactivations: the first try may have happened, so the caller
 * syncs the object from the server instead.
 */
const REPLAY_SAFE = new Set<AcmeRequestKind>([
  'directory', 'newNonce', 'newAccount', 'accountLookup', 'accountUpdate', 'renewalInfo',
  'post-as-get', 'getAccount', 'getOrder', 'listOrders', 'getAuthorization', 'getChallenge', 'getCertificate',
]);

export function isReplaySafe(kind: AcmeRequestKind, payload: AcmePayload): boolean {
  return payload === '' || REPLAY_SAFE.has(kind);
}

// §6.2: newAccount is signed with `jwk` (no account yet); revokeCert may be (certificate key, §7.6); all else with `kid`.
const JWK_KINDS = new Set<AcmeRequestKind>(['newAccount', 'accountLookup']);

/** A programming error, caught before anything is sent. */
export function assertKeyIdentification(kind: AcmeRequestKind, signer: AcmeSigner): void {
  if (JWK_KINDS.has(kind) && signer.kid !== undefined) {
    throw new TypeError(`${kind} requests are signed with jwk (RFC 8555 §6.2): use a signer without kid`);
  }
  if (!JWK_KINDS.has(kind) && kind !== 'revokeCert' && signer.kid === undefined) {
    throw new TypeError(`${kind} requests are signed with the account URL as kid (RFC 8555 §6.2): use signer.withKid(accountUrl)`);
  }
}
