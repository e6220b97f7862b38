import { z } from 'zod';
import { domainName, idParam } from './certificate.schema.js';

/** A global position: a whole number as text (positions are int8). */
const position = z.string({ error: 'must be a position (a whole number)' }).regex(/^\d{1,19}$/, 'must be a position (a whole number)').transform((v) => BigInt(v));
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time with a zone, e.g. 2026-01-31T12:00:00Z' }).transform((v) => new Date(v));
const limit = z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100);
/** `?type=A&type=B` arrives as an array, `?type=A` as a string. */
const repeatable = (item: z.ZodString) => z.union([item, z.array(item).max(50, 'at most 50 values')]).transform((v) => (Array.isArray(v) ? v : [v]));
const eventType = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,99}$/, 'must be an event type such as CertificateImported');
const streamName = z.string().min(1, 'must not be empty').max(300, 'is too long');

/** GET /api/v1/events: filters combined with AND; pages follow `next_after`. */
export const eventListQuery = z.strictObject({
  stream: repeatable(streamName).optional(),
  type: repeatable(eventType).optional(),
  since: instant.optional(),
  until: instant.optional(),
  after: position.optional(),
  limit,
}).refine((q) => !q.since || !q.until || q.since <= q.until, { message: 'must not be after until', path: ['since'] });

/** GET …/history: pages follow `next_after`. */
export const historyQuery = z.strictObject({ after: position.optional(), limit });

/** Path parameters, in objects so a 400 names the field. */
export const domainHistoryParams = z.object({ domain: domainName });
export const orderHistoryParams = z.object({ id: idParam });

export type EventListQuery = z.infer<typeof eventListQuery>;
