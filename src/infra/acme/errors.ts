/** Failures below the ACME layer: no response, or a response that is not ACME. */
import type { AcmeTransportErrorKind } from './exchange.js';

export class AcmeTransportError extends Error {
  constructor(
    readonly kind: AcmeTransportErrorKind,
    readonly method: string,
    readonly url: string,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url}: ${message}`, options);
    this.name = 'AcmeTransportError';
  }
}

// Refused before a byte of the request left: replaying cannot repeat a side effect.
const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;

function codeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  }
  return undefined;
}

/** Sorts an undici failure; `timedOut` and `aborted` come from the signals the caller held. */
export function classifyFailure(error: unknown, at: { method: string; url: string; timedOut: boolean; aborted: boolean }): AcmeTransportError {
  const code = codeOf(error);
  const kind: AcmeTransportErrorKind = at.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
    ? 'timeout'
    : at.aborted
      ? 'aborted'
      : code !== undefined && CONNECT_CODES.has(code)
        ? 'connect'
        : code !== undefined && TLS_CODE.test(code)
          ? 'tls'
          : 'network';
  const message = kind === 'timeout' ? 'timed out' : error instanceof Error ? error.message : String(error);
  return new AcmeTransportError(kind, at.method, at.url, message, code, { cause: error });
}
