/** Typed errors with stable codes; mapped to HTTP in src/http/errors.ts only. */
export abstract class CertledgerError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input; `fields` names each field and its problem. */
export class ValidationError extends CertledgerError {
  readonly code = 'validation_error';
  constructor(
    readonly fields: Readonly<Record<string, string>>,
    message = 'There was an error with your form.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends CertledgerError {
  readonly code = 'not_found';
}

export class IllegalStateError extends CertledgerError {
  readonly code = 'illegal_state';
}

/** The stream moved on since it was read: expected revision did not match. */
export class ConcurrencyError extends CertledgerError {
  readonly code = 'concurrency_conflict';
  constructor(
    readonly streamName: string,
    readonly expected: string,
    readonly actual: string,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${streamName} expected revision ${expected}, found ${actual}`, options);
  }
}

/** A dependency (database, event store, Redis) is unreachable. */
export class UnavailableError extends CertledgerError {
  readonly code = 'service_unavailable';
}
