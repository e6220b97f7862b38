import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  CertledgerError,
  ConcurrencyError,
  IllegalStateError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../domain/shared/errors.js';
import type { Logger } from '../infra/logger.js';

export type ErrorBody = {
  result: 'error';
  code: string;
  message: string;
  form_errors?: Record<string, string>;
};

const statusOf = (error: CertledgerError): number => {
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConcurrencyError) return 409;
  if (error instanceof IllegalStateError) return 409;
  if (error instanceof UnavailableError) return 503;
  return 500;
};

/** The one mapping from errors to HTTP. Bodies never carry stack traces or key material. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof CertledgerError) {
      const body: ErrorBody = { result: 'error', code: error.code, message: error.message };
      if (error instanceof ValidationError) body.form_errors = { ...error.fields };
      res.status(statusOf(error)).json(body);
      return;
    }
    // express.json() and friends: malformed bodies are the client's fault.
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error('request failed', { method: req.method, path: req.path, error: String(error?.message ?? error) });
    res.status(status).json({
      result: 'error',
      code: status === 500 ? 'internal_error' : 'bad_request',
      message: status === 500 ? 'Internal error' : String(error?.message ?? 'Bad request'),
    } satisfies ErrorBody);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ result: 'error', code: 'not_found', message: `No route for ${req.method} ${req.path}` } satisfies ErrorBody);
};
