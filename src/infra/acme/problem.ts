/**
 * ACME problem documents: RFC 8555 §6.7 on top of RFC 7807 (`application/problem+json`).
 * Every ACME failure surfaces as an `AcmeProblem`, so callers branch on `type`, never on text.
 */
import type { RetryAfter } from './retry-after.js';

/** RFC 8555 §6.7: the `urn:ietf:params:acme:error:` namespace. */
export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

export type AcmeIdentifier = { type: string; value: string };

/** §6.7.1: one entry of `subproblems`, usually naming the identifier it is about. */
export type AcmeSubproblem = { type: string; detail?: string; identifier?: AcmeIdentifier };

/** The plain-JSON form of a problem, fit for event data. */
export type AcmeProblemJson = {
  type: string;
  detail?: string;
  status: number;
  title?: string;
  instance?: string;
  identifier?: AcmeIdentifier;
  subproblems?: AcmeSubproblem[];
  retryAfter?: RetryAfter;
};

export class AcmeProblem extends Error {
  readonly type: string;
  readonly detail: string | undefined;
  readonly status: number;
  readonly title: string | undefined;
  readonly instance: string | undefined;
  readonly identifier: AcmeIdentifier | undefined;
  readonly subproblems: readonly AcmeSubproblem[];
  readonly retryAfter: RetryAfter | undefined;

  constructor(problem: AcmeProblemJson, options?: { cause?: unknown }) {
    super(`${problem.type}${problem.detail ? `: ${problem.detail}` : ''} (HTTP ${problem.status})`, options);
    this.name = new.target.name;
    this.type = problem.type;
    this.detail = problem.detail;
    this.status = problem.status;
    this.title = problem.title;
    this.instance = problem.instance;
    this.identifier = problem.identifier;
    this.subproblems = problem.subproblems ?? [];
    this.retryAfter = problem.retryAfter;
  }

  /** The short name for ACME types (`badNonce`), undefined for types outside §6.7. */
  get acmeType(): string | undefined {
    return this.type.startsWith(ACME_ERROR_PREFIX) ? this.type.slice(ACME_ERROR_PREFIX.length) : undefined;
  }

  /** `is('badNonce')` — short ACME names or full type URIs. */
  is(type: string): boolean {
    return this.type === type || this.type === ACME_ERROR_PREFIX + type;
  }

  toJSON(): AcmeProblemJson {
    return problemJson(this);
  }
}

/** HTTP 429 or `rateLimited` (§6.6): not retried here; the caller records it and waits until `retryAfter`. */
export class AcmeRateLimitedError extends AcmeProblem {}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function identifierOf(value: unknown): AcmeIdentifier | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, value: name } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof name === 'string' ? { type, value: name } : undefined;
}

function subproblemOf(value: unknown): AcmeSubproblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const type = text(record.type);
  if (type === undefined) return undefined;
  const sub: AcmeSubproblem = { type };
  const detail = text(record.detail);
  const identifier = identifierOf(record.identifier);
  if (detail !== undefined) sub.detail = detail;
  if (identifier !== undefined) sub.identifier = identifier;
  return sub;
}

/**
 * A problem from a response body. The HTTP status wins over the body's `status` member
 * (RFC 7807 §3.1 calls the member advisory). A body that is not a problem document —
 * a proxy's HTML 502 — becomes `about:blank` (RFC 7807 §4.2) with the status kept.
 */
export function parseProblem(body: unknown, httpStatus: number, retryAfter?: RetryAfter): AcmeProblem {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const json: AcmeProblemJson = { type: text(record.type) ?? 'about:blank', status: httpStatus };
  const detail = text(record.detail);
  const title = text(record.title);
  const instance = text(record.instance);
  const identifier = identifierOf(record.identifier);
  const subproblems = Array.isArray(record.subproblems)
    ? record.subproblems.map(subproblemOf).filter((sub): sub is AcmeSubproblem => sub !== undefined)
    : [];
  if (detail !== undefined) json.detail = detail;
  if (title !== undefined) json.title = title;
  if (instance !== undefined) json.instance = instance;
  if (identifier !== undefined) json.identifier = identifier;
  if (subproblems.length > 0) json.subproblems = subproblems;
  if (retryAfter !== undefined) json.retryAfter = retryAfter;
  const rateLimited = httpStatus === 429 || json.type === `${ACME_ERROR_PREFIX}rateLimited`;
  return rateLimited ? new AcmeRateLimitedError(json) : new AcmeProblem(json);
}

export function problemJson(problem: AcmeProblem): AcmeProblemJson {
  const json: AcmeProblemJson = { type: problem.type, status: problem.status };
  if (problem.detail !== undefined) json.detail = problem.detail;
  if (problem.title !== undefined) json.title = problem.title;
  if (problem.instance !== undefined) json.instance = problem.instance;
  if (problem.identifier !== undefined) json.identifier = { ...problem.identifier };
  if (problem.subproblems.length > 0) json.subproblems = problem.subproblems.map((sub) => structuredClone(sub));
  if (problem.retryAfter !== undefined) json.retryAfter = { ...problem.retryAfter };
  return json;
}

/** RFC 7807 §6.1 media type (parameters such as charset ignored). */
export function isProblemContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/problem+json';
}
