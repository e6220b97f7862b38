import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  CertledgerError,
  ConcurrencyError,
  IllegalStateError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../domain/shared/errors.js';
import { AcmeDirectoryError, AcmeProblem, AcmeRateLimitedError, AcmeTransportError, type AcmeProblemJson } from '../infra/acme/index.js';
import { isDatabaseUnavailable } from '../infra/db/unavailable.js';
import type { Logger } from '../infra/logger.js';
import { RateLimitedError } from '../commands/acme-order/rate-limit.js';

export type ErrorBody = {
  result: 'error';
  code: string;
  message: string;
  form_errors?: Record<string, string>;
  /** The CA's problem document (RFC 8555 §6.7) when an ACME request failed. */
  acme_problem?: AcmeProblemJson;
  /** When a rate limit ends (ISO-8601); also sent as Retry-After. */
  retry_after?: string;
};

/**
 * CA problems about what the caller asked for (a contact, a name, a CSR…): 422, fix the input.
 * Every other problem is the CA's answer to certledger's request: 502, the upstream refused.
 */
const ACME_INPUT_PROBLEMS = new Set([
  'invalidContact', 'unsupportedContact', 'externalAccountRequired', 'rejectedIdentifier', 'unsupportedIdentifier',
  'badCSR', 'badPublicKey', 'badRevocationReason', 'alreadyRevoked', 'caa',
]);

/** ACME failures: 429 with Retry-After for rate limits (§6.6), 422/502 for problems, 502/504 without an answer. */
function acmeError(error: unknown): { status: number; body: ErrorBody; retryAfter?: number } | undefined {
  if (error instanceof AcmeRateLimitedError) {
    return {
      status: 429,
      body: { result: 'error', code: 'acme_rate_limited', message: `The ACME server refused for now: ${error.detail ?? error.type}`, acme_problem: error.toJSON() },
      ...(error.retryAfter ? { retryAfter: error.retryAfter.seconds } : {}),
    };
  }
  if (error instanceof AcmeProblem) {
    const status = ACME_INPUT_PROBLEMS.has(error.acmeType ?? '') ? 422 : 502;
    return { status, body: { result: 'error', code: 'acme_problem', message: `The ACME server answered ${error.message}`, acme_problem: error.toJSON() } };
  }
  if (error instanceof AcmeTransportError) {
    return { status: error.kind === 'timeout' ? 504 : 502, body: { result: 'error', code: 'acme_unreachable', message: `The ACME server could not be reached: ${error.message}` } };
  }
  if (error instanceof AcmeDirectoryError) {
    return { status: 502, body: { result: 'error', code: 'acme_bad_directory', message: error.message } };
  }
  return undefined;
}

const statusOf = (error: CertledgerError): number => {
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConcurrencyError) return 409;
  if (error instanceof IllegalStateError) return 409;
  if (error instanceof UnavailableError) return 503;
  if (error instanceof RateLimitedError) return 429;
  return 500;
};

/** Which part of the request a parser refused: the body (body-parser's `entity.*` types, charsets), a path segment, else the request. */
function clientErrorField(error: { type?: unknown; message?: unknown }): string {
  if (typeof error.type === 'string' && /^(entity\.|encoding\.|charset\.|request\.)/.test(error.type)) return 'body';
  if (error instanceof URIError || String(error.message).startsWith('Failed to decode param')) return 'path';
  return 'request';
}

export type ErrorAnswer = { status: number; body: ErrorBody; headers: Record<string, string> };

/** The one mapping from errors to HTTP (JSON here, HTML in the dashboard). Bodies never carry stack traces or key material. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever was thrown, probed field by field
export function errorAnswer(error: any, logger: Logger, req: { method: string; path: string }): ErrorAnswer {
  if (error instanceof CertledgerError) {
    const body: ErrorBody = { result: 'error', code: error.code, message: error.message };
    const headers: Record<string, string> = {};
    if (error instanceof ValidationError) body.form_errors = { ...error.fields };
    if (error instanceof RateLimitedError) {
      body.retry_after = error.notBefore;
      headers['Retry-After'] = String(error.retryAfterSeconds(new Date()));
    }
    return { status: statusOf(error), body, headers };
  }
  const acme = acmeError(error);
  if (acme) return { status: acme.status, body: acme.body, headers: acme.retryAfter !== undefined ? { 'Retry-After': String(acme.retryAfter) } : {} };
  if (isDatabaseUnavailable(error)) {
    logger.warn('database unavailable', { method: req.method, path: req.path, error: String(error?.message ?? error) });
    return {
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { result: 'error', code: 'database_unavailable', message: `The database is unavailable (${String(error?.message ?? error)}); nothing was changed by this request, retry it later` },
    };
  }
  // express.json() and friends: malformed bodies are the client's fault.
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) {
    logger.error('request failed', { method: req.method, path: req.path, error: String(error?.message ?? error) });
    return { status: 500, headers: {}, body: { result: 'error', code: 'internal_error', message: 'Internal error' } };
  }
  const message = String(error?.message ?? 'Bad request');
  return { status, headers: {}, body: { result: 'error', code: 'bad_request', message, form_errors: { [clientErrorField(error)]: message } } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    const answer = errorAnswer(error, logger, req);
    res.set(answer.headers).status(answer.status).json(answer.body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ result: 'error', code: 'not_found', message: `No route for ${req.method} ${req.path}` } satisfies ErrorBody);
};
