import { historyQuery } from '../schemas/events.schema.js';
import {
  authorizationListQuery, challengeListQuery, createOrderBody, markInvalidBody, orderListQuery, processBody, rateLimitListQuery, retryBody, revokeBody,
} from '../schemas/acme-order.schema.js';
import { CSR_FILES, download } from './downloads.js';
import { array, boolean, errors, fromZod, integer, json, jsonBody, nullable, object, page, queryOf, record, ref, string, success, type Operation, type OperationMap } from './types.js';

const orders = ['acme-orders'];
const ACME = errors(400, 404, 409, 422, 429, 502, 504);
const stepAnswer = json('The order after the step(s); `result: error` when the CA refused a step (the order is kept)', ref('StepAnswer'));

const step = (summary: string, description?: string): Operation => ({
  summary, ...(description ? { description } : {}), tags: orders, responses: { '200': stepAnswer, ...ACME },
});
const events = object({ items: array(ref('StoredEvent')), total: integer() }, ['items', 'total']);
/** A step on one authorization or challenge: the object after it, and the steps that ran. */
const objectStep = (key: 'authorization' | 'challenge', schema: string) => (summary: string): Operation => ({
  summary, tags: [`acme-${key}s`],
  responses: {
    '200': json(`The ${key} after the step`, object({
      result: { type: 'string', enum: ['success', 'error'] }, [key]: nullable(ref(schema)), steps: array(ref('Step')),
    }, ['result', 'steps'])),
    ...ACME,
  },
});
const authorizationStep = objectStep('authorization', 'AcmeAuthorization');
const challengeStep = objectStep('challenge', 'AcmeChallenge');

export const acmeOrderOperations: OperationMap = {
  'POST /api/v1/acme-orders': {
    summary: 'Create an ACME order',
    description: 'Names as `identifiers` or `domain_names_http01`/`domain_names_dns01` (at least one). `process`: `none` (newOrder only), `all` (to the certificate), `step` (one step per process call). Key policy and technology default to the account\'s.',
    tags: orders, requestBody: jsonBody(fromZod(createOrderBody)),
    responses: { '201': json('The order', ref('StepAnswer')), ...ACME },
  },
  'GET /api/v1/acme-orders': {
    summary: 'List ACME orders (newest first)', tags: orders, parameters: queryOf(orderListQuery), responses: { '200': json('A page', page(ref('AcmeOrder'))), ...errors(400) },
  },
  'GET /api/v1/acme-orders/{id}': {
    summary: 'One ACME order with its authorizations and challenges', tags: orders, responses: { '200': json('The order', ref('AcmeOrder')), ...errors(400, 404) },
  },
  'GET /api/v1/acme-orders/{id}/exchanges': {
    summary: 'The order\'s HTTP exchanges with the CA', description: 'Method, URL, status, problem, Retry-After, timing, body without secrets.', tags: orders,
    responses: { '200': json('The exchanges', events), ...errors(400, 404) },
  },
  'GET /api/v1/acme-orders/{id}/events': {
    summary: 'Every event of the order\'s stream', tags: orders, responses: { '200': json('The events', events), ...errors(400, 404) },
  },
  'GET /api/v1/acme-orders/{id}/history': {
    summary: 'Every event that touched the order', description: 'Oldest first; continue with `after=next_after`; 404 when none did.', tags: orders, parameters: queryOf(historyQuery),
    responses: { '200': json('A page of events', { allOf: [ref('EventPage'), object({ order_id: string() }, ['order_id'])] }), ...errors(400, 404) },
  },
  'GET /api/v1/acme-orders/{id}/{file}': download('The CSR sent at finalize', orders, CSR_FILES, { types: { der: 'application/pkcs10' } }),
  'POST /api/v1/acme-orders/{id}/process': {
    ...step('Run one step (or the next one) of the order'), requestBody: jsonBody(fromZod(processBody), false),
  },
  'POST /api/v1/acme-orders/{id}/sync': step('Sync the order from the CA'),
  'POST /api/v1/acme-orders/{id}/sync-authorizations': step('Fetch every authorization of the order'),
  'POST /api/v1/acme-orders/{id}/finalize': step('Finalize the order (send the CSR)'),
  'POST /api/v1/acme-orders/{id}/download': step('Download the certificate'),
  'POST /api/v1/acme-orders/{id}/deactivate-authorizations': step('Deactivate the order\'s authorizations'),
  'POST /api/v1/acme-orders/{id}/mark-invalid': {
    ...step('Mark the order invalid: no step runs on it any more'), requestBody: jsonBody(fromZod(markInvalidBody)),
  },
  'POST /api/v1/acme-orders/{id}/retry': {
    summary: 'A new order for the same account, names, challenges and key policy', tags: orders, requestBody: jsonBody(fromZod(retryBody), false),
    responses: { '201': json('The new order', ref('StepAnswer')), ...ACME },
  },

  'GET /api/v1/acme-authorizations': {
    summary: 'List ACME authorizations', tags: ['acme-authorizations'], parameters: queryOf(authorizationListQuery),
    responses: { '200': json('A page', page(ref('AcmeAuthorization'))), ...errors(400) },
  },
  'GET /api/v1/acme-authorizations/{id}': {
    summary: 'One ACME authorization', tags: ['acme-authorizations'], responses: { '200': json('The authorization', ref('AcmeAuthorization')), ...errors(400, 404) },
  },
  'POST /api/v1/acme-authorizations/{id}/sync': authorizationStep('Sync an authorization from the CA'),
  'POST /api/v1/acme-authorizations/{id}/deactivate': authorizationStep('Deactivate an authorization at the CA'),

  'GET /api/v1/acme-challenges': {
    summary: 'List ACME challenges', tags: ['acme-challenges'], parameters: queryOf(challengeListQuery), responses: { '200': json('A page', page(ref('AcmeChallenge'))), ...errors(400) },
  },
  'GET /api/v1/acme-challenges/{id}': {
    summary: 'One ACME challenge', tags: ['acme-challenges'], responses: { '200': json('The challenge', ref('AcmeChallenge')), ...errors(400, 404) },
  },
  'POST /api/v1/acme-challenges/{id}/sync': challengeStep('Sync a challenge from the CA'),
  'POST /api/v1/acme-challenges/{id}/trigger': challengeStep('Answer the challenge the order chose for that name, then poll'),

  'GET /api/v1/acme-rate-limits': {
    summary: 'Rate limits recorded from 429 answers', tags: orders, parameters: queryOf(rateLimitListQuery), responses: { '200': json('A page', page(record('A recorded rate limit'))), ...errors(400) },
  },
  'POST /api/v1/certificates/{id}/revoke-acme': {
    summary: 'Revoke a certificate at the CA (RFC 8555 §7.6), then mark it revoked', tags: ['certificates', ...orders], requestBody: jsonBody(fromZod(revokeBody), false),
    responses: {
      '200': json('Revoked', success({
        certificate_id: string(), acme_order_id: nullable(string()), already_revoked: boolean(), changed: boolean(), latest_for_domains: array(record('A domain whose served certificate moved')),
      }, ['certificate_id'])),
      ...ACME,
    },
  },
};
