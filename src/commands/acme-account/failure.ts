import type { AcmeFailure } from '../../domain/acme-account/failure.js';
import { AcmeDirectoryError, AcmeProblem, AcmeTransportError } from '../../infra/acme/index.js';

/**
 * An ACME step's error as event data. Messages from the transport name URLs and causes only,
 * never request bodies or keys (see infra/acme/errors.ts).
 */
export function acmeFailureOf(error: unknown): AcmeFailure {
  if (error instanceof AcmeProblem) {
    const { type, status, ...rest } = error.toJSON();
    return { problem: JSON.parse(JSON.stringify({ type, status, ...rest })) as Extract<AcmeFailure, { problem: unknown }>['problem'] };
  }
  if (error instanceof AcmeTransportError) {
    return { error: { kind: error.kind, message: error.message, ...(error.code === undefined ? {} : { code: error.code }) } };
  }
  if (error instanceof AcmeDirectoryError) return { error: { kind: 'directory', message: error.message } };
  return { error: { kind: 'internal', message: error instanceof Error ? error.message : String(error) } };
}
