import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { Event, JsonValue } from '../shared/event.js';
import type { AcmeAuthorizationStatus, AcmeChallengeStatus, AcmeOrderStatus } from './status.js';

export type IdentifierType = 'dns' | 'ip';
export type ChallengeType = 'http-01' | 'dns-01';
export type ProcessingMode = 'none' | 'all' | 'step';

/** One name of the order and how we prove control of it (RFC 8555 §9.7.7; RFC 8738 for IP addresses). */
export type OrderIdentifier = { type: IdentifierType; value: string; challengeType: ChallengeType };

/** An ACME problem document (RFC 8555 §6.7) as plain JSON: `type`, `detail`, `status`, `subproblems`… */
export type ProblemData = { [key: string]: JsonValue };

export type RetryAfterData = { seconds: number; notBefore: string };

/** A challenge as the server last described it (§8); ids are derived from the URL. */
export type ChallengeData = {
  challengeId: string;
  url: string;
  type: string;
  token: string;
  status: AcmeChallengeStatus;
  validated: string | null;
  error: ProblemData | null;
};

/** What an order asks for: the same fields in the command, the event and the state. */
export type AcmeOrderRequest = {
  orderId: string;
  accountId: string;
  acmeServerId: string;
  identifiers: OrderIdentifier[];
  uniqueFqdnSetId: string;
  keyPolicy: string;
  keyTechnology: string;
  processing: ProcessingMode;
  /** After a failed challenge, deactivate the authorizations still pending (§7.5.2). */
  deactivateOnFailure: boolean;
  /** The failed order this one retries. */
  retryOf: string | null;
  /** RFC 9773 §5, sent in newOrder (dropped on a retry if the CA refuses it). Absent on older events. */
  replaces?: string;
  /** draft-ietf-acme-profiles, one of the directory's meta.profiles, sent in newOrder. Absent on older events. */
  profile?: string;
};

/** The local decision: what to order, for which account, with which key policy. Nothing was sent yet. */
export type AcmeOrderCreated = Event<'AcmeOrderCreated', AcmeOrderRequest & { createdAt: string }>;

/** newOrder answered 201 (§7.4). */
export type AcmeOrderSubmitted = Event<'AcmeOrderSubmitted', {
  orderId: string;
  orderUrl: string;
  status: AcmeOrderStatus;
  expires: string | null;
  authorizationUrls: string[];
  finalizeUrl: string;
  submittedAt: string;
}>;

/** The order as the server describes it now (POST-as-GET, or the answer to finalize). */
export type AcmeOrderSynced = Event<'AcmeOrderSynced', {
  orderId: string;
  status: AcmeOrderStatus;
  expires: string | null;
  authorizationUrls: string[];
  finalizeUrl: string;
  certificateUrl: string | null;
  error: ProblemData | null;
  syncedAt: string;
}>;

export type AcmeAuthorizationSynced = Event<'AcmeAuthorizationSynced', {
  orderId: string;
  authorizationId: string;
  url: string;
  identifier: { type: string; value: string };
  status: AcmeAuthorizationStatus;
  expires: string | null;
  wildcard: boolean;
  challenges: ChallengeData[];
  syncedAt: string;
}>;

/**
 * The key authorization (§8.1) is published (http-01 body, dns-01 digest): it is public. For
 * http-01 the projection serves it from here; the challenge is triggered only once it does.
 */
export type AcmeChallengePrepared = Event<'AcmeChallengePrepared', {
  orderId: string;
  authorizationId: string;
  challengeId: string;
  type: ChallengeType;
  token: string;
  identifier: string;
  keyAuthorization: string;
  preparedAt: string;
}>;

export type AcmeDnsRecordSet = Event<'AcmeDnsRecordSet', {
  orderId: string;
  challengeId: string;
  provider: string;
  recordName: string;
  value: string;
  setAt: string;
}>;

export type AcmeDnsRecordRemoved = Event<'AcmeDnsRecordRemoved', {
  orderId: string;
  challengeId: string;
  provider: string;
  recordName: string;
  value: string;
  removedAt: string;
}>;

/** One challenge as the server describes it now (POST-as-GET on its URL). */
export type AcmeChallengeSynced = Event<'AcmeChallengeSynced', {
  orderId: string;
  challengeId: string;
  status: AcmeChallengeStatus;
  validated: string | null;
  error: ProblemData | null;
  syncedAt: string;
}>;

/** §7.5.1: we told the server to validate; `status` is what it answered. */
export type AcmeChallengeTriggered = Event<'AcmeChallengeTriggered', {
  orderId: string;
  challengeId: string;
  status: AcmeChallengeStatus;
  triggeredAt: string;
}>;

/** The CA fetched our http-01 answer (at most a few per challenge are recorded). */
export type AcmeChallengePolled = Event<'AcmeChallengePolled', {
  orderId: string;
  challengeId: string;
  remoteAddress: string | null;
  userAgent: string | null;
  polledAt: string;
}>;

/** §7.5.2 */
export type AcmeAuthorizationDeactivated = Event<'AcmeAuthorizationDeactivated', {
  orderId: string;
  authorizationId: string;
  status: AcmeAuthorizationStatus;
  reason: string;
  deactivatedAt: string;
}>;

/** §7.4: the CSR (public) and the key it carries (by id: the key itself is in the vault). */
export type AcmeOrderFinalized = Event<'AcmeOrderFinalized', {
  orderId: string;
  privateKeyId: string;
  keyTechnology: string;
  keyPolicy: string;
  csrId: string;
  csrPem: string;
  finalizedAt: string;
}>;

/** §7.4.2: the certificate and every alternate chain, enrolled in the catalog as `certificateId`. */
export type AcmeCertificateDownloaded = Event<'AcmeCertificateDownloaded', {
  orderId: string;
  certificateId: string;
  certificateUrl: string;
  alternateUrls: string[];
  /** The default chain first. */
  caChainIds: string[];
  downloadedAt: string;
}>;

/** A step that did not complete: the ACME problem (or the transport failure) as it happened. */
export type AcmeOrderStepFailed = Event<'AcmeOrderStepFailed', {
  orderId: string;
  step: string;
  problem: ProblemData | null;
  message: string;
  failedAt: string;
}>;

/** §6.6: 429 / rateLimited. New orders for this account, server and name set wait until `retryAfter.notBefore`. */
export type AcmeOrderRateLimited = Event<'AcmeOrderRateLimited', {
  orderId: string;
  accountId: string;
  acmeServerId: string;
  uniqueFqdnSetId: string;
  step: string;
  retryAfter: RetryAfterData;
  problem: ProblemData | null;
  recordedAt: string;
}>;

export type AcmeOrderMarkedInvalid = Event<'AcmeOrderMarkedInvalid', {
  orderId: string;
  reason: string;
  actor: string;
  markedAt: string;
}>;

export type AcmeOrderRetried = Event<'AcmeOrderRetried', {
  orderId: string;
  newOrderId: string;
  retriedAt: string;
}>;

/** §7.6; on the order that issued the certificate, or (orderId null) on its revocation stream. */
export type AcmeCertificateRevoked = Event<'AcmeCertificateRevoked', {
  orderId: string | null;
  certificateId: string;
  reasonCode: number;
  signedWith: 'account' | 'certificateKey';
  revokedAt: string;
}>;

/** A revocation of a certificate no order of ours issued failed (its exchanges precede it). */
export type AcmeRevocationFailed = Event<'AcmeRevocationFailed', {
  certificateId: string;
  acmeServerId: string;
  problem: ProblemData | null;
  message: string;
  failedAt: string;
}>;

export type AcmeOrderEvent =
  | AcmeExchangeRecorded
  | AcmeOrderCreated
  | AcmeOrderSubmitted
  | AcmeOrderSynced
  | AcmeAuthorizationSynced
  | AcmeChallengePrepared
  | AcmeDnsRecordSet
  | AcmeDnsRecordRemoved
  | AcmeChallengeSynced
  | AcmeChallengeTriggered
  | AcmeChallengePolled
  | AcmeAuthorizationDeactivated
  | AcmeOrderFinalized
  | AcmeCertificateDownloaded
  | AcmeOrderStepFailed
  | AcmeOrderRateLimited
  | AcmeOrderMarkedInvalid
  | AcmeOrderRetried
  | AcmeCertificateRevoked;

export type AcmeOrderEventType = AcmeOrderEvent['type'];
