/**
 * One HTTP exchange with an ACME server, as it will be stored in an event: plain JSON only
 * (ISO strings, numbers, arrays, objects), no secrets (see `sanitise.ts`).
 */
import type { AcmeLink } from './links.js';
import type { AcmeProblemJson } from './problem.js';
import type { RetryAfter } from './retry-after.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What the caller was doing; it also decides whether a failed request may be replayed (see http.ts). */
export type AcmeRequestKind =
  | 'directory'
  | 'newNonce'
  | 'newAccount'
  | 'accountLookup'
  | 'accountUpdate'
  | 'accountDeactivate'
  | 'keyChange'
  | 'newOrder'
  | 'newAuthz'
  | 'finalize'
  | 'challengeResponse'
  | 'authorizationDeactivate'
  | 'revokeCert'
  | 'post-as-get'
  | 'getAccount'
  | 'getOrder'
  | 'listOrders'
  | 'getAuthorization'
  | 'getChallenge'
  | 'getCertificate'
  | 'renewalInfo';

export type AcmeTransportErrorKind = 'timeout' | 'connect' | 'network' | 'tls' | 'protocol' | 'aborted';

export type AcmeExchangeRecord = {
  requestKind: AcmeRequestKind;
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  /** 1 for the first try of a call, 2… for its retries. */
  attempt: number;
  /** Whether the transport tries again after this exchange (badNonce, or a safe retry). */
  retrying: boolean;
  startedAt: string;
  durationMs: number;
  /** Null when no response arrived (`error` says why). */
  status: number | null;
  contentType?: string;
  location?: string;
  links: AcmeLink[];
  retryAfter?: RetryAfter;
  problem?: AcmeProblemJson;
  error?: { kind: AcmeTransportErrorKind; code?: string; message: string };
  responseBody?: JsonValue;
};

export type OnExchange = (record: AcmeExchangeRecord) => void | Promise<void>;
