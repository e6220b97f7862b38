import {
  createRenewalConfigurationBody, editRenewalConfigurationBody, renewalConfigurationListQuery, renewalQueueProcessBody, renewalRunBody, systemPolicyBody, systemPolicyName,
} from '../schemas/renewal.schema.js';
import { array, boolean, errors, fromZod, integer, json, jsonBody, object, query, queryOf, record, ref, success, type Operation, type OperationMap, type Parameter } from './types.js';

const tags = ['renewal'];
const ACME = errors(400, 404, 409, 422, 429, 502, 504);
const configuration = ref('RenewalConfiguration');
const policyName: Parameter = { name: 'name', in: 'path', required: true, description: 'A system policy', schema: fromZod(systemPolicyName) };

const setActive = (verb: string): Operation => ({
  summary: `${verb} a renewal configuration`, tags,
  responses: { '200': json('The configuration', success({ changed: boolean(), renewal_configuration: configuration }, ['changed', 'renewal_configuration'])), ...errors(400, 404, 409) },
});

export const renewalOperations: OperationMap = {
  'GET /api/v1/renewal-configurations': {
    summary: 'List renewal configurations', tags, parameters: queryOf(renewalConfigurationListQuery),
    responses: { '200': json('A page', object({ items: array(configuration), total: integer(), limit: integer(), offset: integer() }, ['items', 'total'])), ...errors(400) },
  },
  'POST /api/v1/renewal-configurations': {
    summary: 'Create a renewal configuration', description: 'Names as `identifiers` or `domain_names_http01`/`domain_names_dns01` (at least one); issuer gaps come from the system policy.', tags,
    requestBody: jsonBody(fromZod(createRenewalConfigurationBody)),
    responses: { '201': json('Created', success({ renewal_configuration: configuration }, ['renewal_configuration'])), ...errors(400, 404, 409) },
  },
  'GET /api/v1/renewal-configurations/{id}': {
    summary: 'One renewal configuration with its lineage', tags,
    responses: { '200': json('The configuration', object({ renewal_configuration: configuration }, ['renewal_configuration'])), ...errors(400, 404) },
  },
  'POST /api/v1/renewal-configurations/{id}/edit': {
    summary: 'Replace a renewal configuration by a new one', description: 'Configurations are never edited in place: what the body does not name is inherited.', tags,
    requestBody: jsonBody(fromZod(editRenewalConfigurationBody), false),
    responses: { '201': json('The new configuration and the one it replaced', success({ renewal_configuration: configuration, replaced: configuration }, ['renewal_configuration', 'replaced'])), ...errors(400, 404, 409) },
  },
  'POST /api/v1/renewal-configurations/{id}/activate': setActive('Activate'),
  'POST /api/v1/renewal-configurations/{id}/deactivate': setActive('Deactivate'),
  'POST /api/v1/renewal-configurations/{id}/new-order': {
    summary: 'Renew now (one attempt, synchronously)', tags,
    responses: {
      '201': json('Renewed', { allOf: [ref('AttemptOutcome'), object({ renewal_configuration: configuration }, ['renewal_configuration'])] }),
      '200': json('Not claimed, or the attempt failed (`result: error`)', { allOf: [ref('AttemptOutcome'), object({ renewal_configuration: configuration }, ['renewal_configuration'])] }),
      ...ACME,
    },
  },
  'GET /api/v1/system-policies': {
    summary: 'The system policies', tags, responses: { '200': json('Every configured policy', object({ items: array(ref('SystemPolicy')) }, ['items'])) },
  },
  'GET /api/v1/system-policies/{name}': {
    summary: 'One system policy', tags, parameters: [policyName],
    responses: { '200': json('The policy (`is_configured: false` when not set)', object({ system_policy: ref('SystemPolicy') }, ['system_policy'])), ...errors(400) },
  },
  'PUT /api/v1/system-policies/{name}': {
    summary: 'Set a system policy (the whole policy)', tags, parameters: [policyName], requestBody: jsonBody(fromZod(systemPolicyBody)),
    responses: { '200': json('The policy', success({ changed: boolean(), system_policy: ref('SystemPolicy') }, ['changed', 'system_policy'])), ...errors(400, 404, 409) },
  },
  'GET /api/v1/renewal-queue': {
    summary: 'The renewal queue (newest 200)', tags, parameters: [query('status', { type: 'string' }, 'Only entries of this status (not checked: an unknown one lists nothing)')],
    responses: { '200': json('Queue entries', object({ items: array(record('A queue row: configuration, status, queued_at, processed_at, …')) }, ['items'])) },
  },
  'POST /api/v1/renewal-queue/update': {
    summary: 'Queue the configurations due now', tags, responses: { '200': json('How many were queued', success({ queued: integer() }, ['queued'])) },
  },
  'POST /api/v1/renewal-queue/process': {
    summary: 'Process the renewal queue', description: 'One entry, or with `loop` entries until the queue is empty or `max` were processed.', tags,
    requestBody: jsonBody(fromZod(renewalQueueProcessBody), false),
    responses: {
      '200': json('The outcome(s)', success({ processed: { anyOf: [ref('AttemptOutcome'), { type: 'null' }, array(ref('AttemptOutcome'))] }, remaining: integer() }, ['processed'])),
      ...errors(400),
    },
  },
  'POST /api/v1/renewal-runs': {
    summary: 'Renew what is due now', tags, requestBody: jsonBody(fromZod(renewalRunBody), false),
    responses: {
      '200': json('The run', success({ considered: integer(), renewed: integer(), failed: integer(), skipped: integer(), outcomes: array(ref('AttemptOutcome')) }, ['considered', 'renewed', 'failed'])),
      ...errors(400),
    },
  },
};
