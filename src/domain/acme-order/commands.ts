import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { AcmeOrderRequest, ChallengeData, ProblemData, RetryAfterData } from './events.js';
import type { AcmeAuthorizationStatus, AcmeChallengeStatus, AcmeOrderStatus } from './status.js';

/** An order object as the server sent it (§7.1.3), read at the edge. */
export type OrderResource = {
  status: AcmeOrderStatus;
  expires: string | null;
  authorizationUrls: string[];
  finalizeUrl: string;
  certificateUrl: string | null;
  error: ProblemData | null;
};

/** An authorization object (§7.1.4) with the ids derived from its URLs. */
export type AuthorizationResource = {
  authorizationId: string;
  url: string;
  identifier: { type: string; value: string };
  status: AcmeAuthorizationStatus;
  expires: string | null;
  wildcard: boolean;
  challenges: ChallengeData[];
};

/** What one step saw or did; the decider turns each into an event (or nothing when it is stale or known). */
export type StepFact =
  | { kind: 'submitted'; orderUrl: string; order: OrderResource }
  | { kind: 'order'; order: OrderResource }
  | { kind: 'authorization'; authorization: AuthorizationResource }
  | { kind: 'challenge'; challenge: ChallengeData }
  | { kind: 'triggered'; challengeId: string; status: AcmeChallengeStatus }
  | { kind: 'deactivated'; authorizationId: string; status: AcmeAuthorizationStatus; reason: string }
  | { kind: 'dnsRecordSet'; challengeId: string; provider: string; recordName: string; value: string }
  | { kind: 'dnsRecordRemoved'; challengeId: string; provider: string; recordName: string; value: string }
  | { kind: 'finalized'; privateKeyId: string; keyTechnology: string; keyPolicy: string; csrId: string; csrPem: string }
  | { kind: 'downloaded'; certificateId: string; certificateUrl: string; alternateUrls: string[]; caChainIds: string[] }
  | { kind: 'revoked'; certificateId: string; reasonCode: number; signedWith: 'account' | 'certificateKey' }
  | { kind: 'failed'; problem: ProblemData | null; message: string }
  | { kind: 'rateLimited'; retryAfter: RetryAfterData; problem: ProblemData | null };

export type CreateAcmeOrder = { type: 'CreateAcmeOrder'; now: string } & AcmeOrderRequest;

/** Every exchange of the step first, then its facts: one append, so a step is recorded whole or not at all. */
export type RecordAcmeStep = {
  type: 'RecordAcmeStep';
  step: string;
  exchanges: AcmeExchangeRecorded[];
  facts: StepFact[];
  now: string;
};

export type PrepareAcmeChallenges = {
  type: 'PrepareAcmeChallenges';
  challenges: { challengeId: string; keyAuthorization: string }[];
  now: string;
};

export type RecordAcmeChallengePoll = {
  type: 'RecordAcmeChallengePoll';
  challengeId: string;
  remoteAddress: string | null;
  userAgent: string | null;
  /** Polls recorded per challenge at most: the public route must not let anyone grow the stream. */
  maxRecorded: number;
  now: string;
};

export type MarkAcmeOrderInvalid = {
  type: 'MarkAcmeOrderInvalid';
  reason: string;
  actor: string;
  now: string;
};

export type RecordAcmeOrderRetried = {
  type: 'RecordAcmeOrderRetried';
  newOrderId: string;
  now: string;
};

export type AcmeOrderCommand =
  | CreateAcmeOrder
  | RecordAcmeStep
  | PrepareAcmeChallenges
  | RecordAcmeChallengePoll
  | MarkAcmeOrderInvalid
  | RecordAcmeOrderRetried;
