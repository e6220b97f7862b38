import type { Event, JsonValue } from '../shared/event.js';

/**
 * One HTTP exchange with an ACME server, appended to the stream of the account or order it served,
 * in the same append as the outcome it led to. Plain JSON without secrets (see infra/acme/sanitise.ts).
 */
export type AcmeExchangeRecorded = Event<'AcmeExchangeRecorded', {
  requestKind: string;
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  attempt: number;
  retrying: boolean;
  startedAt: string;
  durationMs: number;
  status: number | null;
  contentType?: string;
  location?: string;
  links: { url: string; rel: string }[];
  retryAfter?: { seconds: number; notBefore: string };
  problem?: { [key: string]: JsonValue };
  error?: { kind: string; code?: string; message: string };
  responseBody?: JsonValue;
}>;
