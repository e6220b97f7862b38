/**
 * The status machines of RFC 8555 §7.1.6 (figures 5–7) for orders, authorizations and
 * challenges. The server owns these statuses: what it reports is recorded as it is. The
 * machines decide what WE may still ask for, and whether a reported move is forward.
 */

/** §7.1.6: an order on the server. `created` is ours: decided here, not yet sent (newOrder). */
export type AcmeOrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type LocalOrderStatus = 'created' | AcmeOrderStatus;

export type AcmeAuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

export type AcmeChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

export const ORDER_STATUSES: readonly AcmeOrderStatus[] = ['pending', 'ready', 'processing', 'valid', 'invalid'];
export const AUTHORIZATION_STATUSES: readonly AcmeAuthorizationStatus[] = ['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'];
export const CHALLENGE_STATUSES: readonly AcmeChallengeStatus[] = ['pending', 'processing', 'valid', 'invalid'];

/**
 * Figure 7 (order): pending → ready (all authorizations valid) → processing (finalize) → valid;
 * any unfinished state → invalid (an authorization failed, the order expired, issuance failed).
 */
const ORDER_MOVES: Record<LocalOrderStatus, readonly LocalOrderStatus[]> = {
  created: ['pending', 'ready', 'processing', 'valid', 'invalid'],
  pending: ['ready', 'processing', 'valid', 'invalid'],
  ready: ['processing', 'valid', 'invalid'],
  processing: ['valid', 'invalid'],
  valid: [],
  invalid: [],
};

/** Figure 6 (authorization): pending → valid | invalid; valid → expired | deactivated | revoked; pending → deactivated (§7.5.2). */
const AUTHORIZATION_MOVES: Record<AcmeAuthorizationStatus, readonly AcmeAuthorizationStatus[]> = {
  pending: ['valid', 'invalid', 'deactivated', 'expired', 'revoked'],
  valid: ['expired', 'deactivated', 'revoked'],
  invalid: [],
  deactivated: [],
  expired: [],
  revoked: [],
};

/** Figure 5 (challenge): pending → processing (the client's POST, §7.5.1) → valid | invalid. */
const CHALLENGE_MOVES: Record<AcmeChallengeStatus, readonly AcmeChallengeStatus[]> = {
  pending: ['processing', 'valid', 'invalid'],
  processing: ['valid', 'invalid'],
  valid: [],
  invalid: [],
};

/** Same status, or a move the figure allows (a server may skip intermediate states between two reads). */
export const isOrderMove = (from: LocalOrderStatus, to: LocalOrderStatus): boolean => from === to || ORDER_MOVES[from].includes(to);
export const isAuthorizationMove = (from: AcmeAuthorizationStatus, to: AcmeAuthorizationStatus): boolean =>
  from === to || AUTHORIZATION_MOVES[from].includes(to);
export const isChallengeMove = (from: AcmeChallengeStatus, to: AcmeChallengeStatus): boolean => from === to || CHALLENGE_MOVES[from].includes(to);

export const isFinalOrderStatus = (status: LocalOrderStatus): boolean => ORDER_MOVES[status].length === 0;
export const isFinalAuthorizationStatus = (status: AcmeAuthorizationStatus): boolean => AUTHORIZATION_MOVES[status].length === 0 || status === 'valid';
export const isFinalChallengeStatus = (status: AcmeChallengeStatus): boolean => CHALLENGE_MOVES[status].length === 0;

export const isOrderStatus = (value: unknown): value is AcmeOrderStatus => ORDER_STATUSES.includes(value as AcmeOrderStatus);
export const isAuthorizationStatus = (value: unknown): value is AcmeAuthorizationStatus =>
  AUTHORIZATION_STATUSES.includes(value as AcmeAuthorizationStatus);
export const isChallengeStatus = (value: unknown): value is AcmeChallengeStatus => CHALLENGE_STATUSES.includes(value as AcmeChallengeStatus);
