import { autocertBody, certificateIfNeededBody, domainQueueAddBody, domainQueueProcessBody } from '../schemas/autocert.schema.js';
import { array, boolean, errors, fromZod, integer, json, jsonBody, nullable, object, record, ref, string, success, type OperationMap } from './types.js';

const tags = ['issuance'];
const ACME = errors(400, 409, 422, 429, 502, 504);

const autocertAnswer = object({
  result: { type: 'string', enum: ['success', 'error'] }, outcome: string('`issued`, `existing`, … or `failed`'), domain_name: string(),
  order_id: nullable(string()), certificate_id: nullable(string()), joined: boolean('Joined an attempt already running for the name'),
  renewal_configuration_id: nullable(string()), config: ref('ConfigPayload'), reason: string('Why it failed'), retry_not_before: string(),
}, ['result', 'outcome', 'domain_name']);
const renewalInfo = object({
  certificate_id: string(), acme_server_id: string(), ari_identifier: string(), suggested_window: nullable(object({ start: string(), end: string() })),
  chosen_renewal_time: nullable(string()), explanation_url: nullable(string()), next_poll_at: nullable(string()), last_retry_after: nullable(integer()),
  consecutive_failures: integer(), last_failure: nullable(string()), fetched_at: nullable(string()),
}, ['certificate_id']);

export const issuanceOperations: OperationMap = {
  'POST /api/v1/autocert': {
    summary: 'A certificate for one domain, obtained now if there is none',
    description: 'Synchronous, with the `autocert` system policy (409 until it is set); one attempt per domain at a time, none within 10 minutes of a failure (429); blocklisted names refused before any work.',
    tags, requestBody: jsonBody(fromZod(autocertBody)),
    responses: {
      '201': json('Issued now', autocertAnswer), '200': json('A certificate already existed', autocertAnswer), '502': json('The CA refused: `result: error`', autocertAnswer),
      ...errors(400, 409, 429, 503),
    },
  },
  'POST /api/v1/certificate-if-needed': {
    summary: 'Certificates for names that need one (full control)', tags, requestBody: jsonBody(fromZod(certificateIfNeededBody)),
    responses: {
      '200': json('Per domain: its status and its certificate\'s', success({
        domains: array(object({
          domain_name: string(), domain_status: string('new | existing | blocklisted'), domain_id: nullable(string()), certificate_status: string('exists | new | fail'),
          certificate_id: nullable(string()), order_id: nullable(string()), renewal_configuration_id: nullable(string()), reason: nullable(string()),
        })),
      }, ['domains'])),
      ...ACME,
    },
  },
  'GET /api/v1/domain-queue': {
    summary: 'The domain queue', tags,
    responses: {
      '200': json('Queued names, the batch being processed and names already ordered', object({
        queued: array(string()), processing: nullable(object({ batch_id: string(), domain_names: array(string()), claimed_at: string() })), ordered: array(record('A name ordered from the queue')),
      }, ['queued', 'processing'])),
    },
  },
  'POST /api/v1/domain-queue': {
    summary: 'Add names to the domain queue', description: 'Activates a managed inactive domain, queues a new one, ignores the rest.', tags, requestBody: jsonBody(fromZod(domainQueueAddBody)),
    responses: {
      '200': json('What happened to each name', success({
        domains: { type: 'object', additionalProperties: { type: 'string', enum: ['queued', 'activated', 'active', 'already_queued', 'blocklisted'] } },
      }, ['domains'])),
      ...errors(400, 409),
    },
  },
  'POST /api/v1/domain-queue/process': {
    summary: 'Turn queued names into one order (synchronously)', tags, requestBody: jsonBody(fromZod(domainQueueProcessBody), false),
    responses: {
      '201': json('Issued', object({ result: string(), batch: record('{batch_id, domain_names, order_id, certificate_id, ok, renewal_configuration_id, reason}') }, ['result', 'batch'])),
      '200': json('The queue is empty', success({ batch: { type: 'null' }, message: string() }, ['batch'])),
      '502': json('The batch failed: `result: error`', object({ result: string(), batch: record('The batch') }, ['result', 'batch'])),
      ...errors(400, 409, 422, 429, 504),
    },
  },
  'GET /api/v1/certificates/{id}/renewal-info': {
    summary: 'ARI (RFC 9773): the certificate\'s renewal window, chosen renewal time, next poll', tags: ['renewal'],
    responses: { '200': json('The renewal information', renewalInfo), ...errors(404) },
  },
  'POST /api/v1/certificates/{id}/renewal-info/poll': {
    summary: 'Poll the CA\'s renewal information now', tags: ['renewal'],
    responses: { '200': json('After the poll; `result: error` when it failed', object({ result: { type: 'string', enum: ['success', 'error'] }, renewal_info: renewalInfo }, ['result', 'renewal_info'])), ...errors(404, 409) },
  },
};
