/**
 * ACME objects as the server sends them (RFC 8555 §7.1.3 order, §7.1.4 authorization, §8
 * challenge), read into the domain's shapes. A CA's JSON is input like any form: anything the
 * flow relies on is checked here, and a server that breaks the RFC fails the step with a clear
 * message instead of corrupting the order.
 */
import type { AuthorizationResource, OrderResource } from '../../domain/acme-order/commands.js';
import type { ChallengeData, ProblemData } from '../../domain/acme-order/events.js';
import { isAuthorizationStatus, isChallengeStatus, isOrderStatus } from '../../domain/acme-order/status.js';
import { AcmeTransportError } from '../../infra/acme/index.js';
import { deterministicId } from '../../infra/ids.js';

export const authorizationIdOf = (url: string): string => deterministicId('acmeAuthorization', url);
export const challengeIdOf = (url: string): string => deterministicId('acmeChallenge', url);

type Json = Record<string, unknown>;

export class AcmeResourceError extends AcmeTransportError {
  constructor(url: string, message: string) {
    super('protocol', 'POST', url, message);
    this.name = 'AcmeResourceError';
  }
}

const objectAt = (body: unknown, url: string, what: string): Json => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AcmeResourceError(url, `the ${what} is not a JSON object`);
  return body as Json;
};

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function requiredString(object: Json, member: string, url: string, what: string): string {
  const value = object[member];
  if (typeof value !== 'string' || value === '') throw new AcmeResourceError(url, `the ${what} has no "${member}"`);
  return value;
}

const absolute = (value: string, base: string): string => new URL(value, base).href;

const problemOf = (value: unknown): ProblemData | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (JSON.parse(JSON.stringify(value)) as ProblemData) : null;

/**
 * Pebble answers `deactivated` for an order whose authorizations were deactivated: not a §7.1.6
 * order status, but an order that can never be finalized, which §7.1.6 calls invalid.
 */
const ORDER_STATUS_ALIASES: Record<string, string> = { deactivated: 'invalid' };

export function parseOrder(body: unknown, url: string): OrderResource {
  const order = objectAt(body, url, 'order');
  if (typeof order.status === 'string' && order.status in ORDER_STATUS_ALIASES) order.status = ORDER_STATUS_ALIASES[order.status];
  if (!isOrderStatus(order.status)) throw new AcmeResourceError(url, `the order's status ${JSON.stringify(order.status)} is not one of RFC 8555 §7.1.6`);
  const authorizations = order.authorizations;
  if (!Array.isArray(authorizations) || !authorizations.every((a) => typeof a === 'string')) {
    throw new AcmeResourceError(url, 'the order has no "authorizations" list');
  }
  const certificate = optionalString(order.certificate);
  return {
    status: order.status,
    expires: optionalString(order.expires),
    authorizationUrls: (authorizations as string[]).map((a) => absolute(a, url)),
    finalizeUrl: absolute(requiredString(order, 'finalize', url, 'order'), url),
    certificateUrl: certificate === null ? null : absolute(certificate, url),
    error: problemOf(order.error),
  };
}

export function parseChallenge(body: unknown, url: string): ChallengeData {
  const challenge = objectAt(body, url, 'challenge');
  const challengeUrl = absolute(requiredString(challenge, 'url', url, 'challenge'), url);
  if (!isChallengeStatus(challenge.status)) throw new AcmeResourceError(url, `a challenge's status ${JSON.stringify(challenge.status)} is not one of RFC 8555 §7.1.6`);
  return {
    challengeId: challengeIdOf(challengeUrl),
    url: challengeUrl,
    type: requiredString(challenge, 'type', url, 'challenge'),
    // §8: every type this client answers has a token; others may not.
    token: optionalString(challenge.token) ?? '',
    status: challenge.status,
    validated: optionalString(challenge.validated),
    error: problemOf(challenge.error),
  };
}

export function parseAuthorization(body: unknown, url: string): AuthorizationResource {
  const authorization = objectAt(body, url, 'authorization');
  if (!isAuthorizationStatus(authorization.status)) {
    throw new AcmeResourceError(url, `the authorization's status ${JSON.stringify(authorization.status)} is not one of RFC 8555 §7.1.6`);
  }
  const identifier = objectAt(authorization.identifier, url, 'authorization identifier');
  const challenges = authorization.challenges;
  if (!Array.isArray(challenges)) throw new AcmeResourceError(url, 'the authorization has no "challenges" list');
  return {
    authorizationId: authorizationIdOf(url),
    url,
    identifier: { type: requiredString(identifier, 'type', url, 'identifier'), value: requiredString(identifier, 'value', url, 'identifier') },
    status: authorization.status,
    expires: optionalString(authorization.expires),
    wildcard: authorization.wildcard === true,
    challenges: challenges.map((c) => parseChallenge(c, url)),
  };
}
