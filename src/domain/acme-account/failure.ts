import type { JsonValue } from '../shared/event.js';

/**
 * Why an ACME request failed, as event data: the CA's problem document (RFC 8555 §6.7), or,
 * when no ACME answer came (connection refused, TLS, timeout), the transport's error.
 */
export type AcmeFailure =
  | { problem: { type: string; status: number; detail?: string; [member: string]: JsonValue | undefined } }
  | { error: { kind: string; message: string; code?: string } };
