import { deployBody, restoreBody } from '../routes/sites.routes.js';
import { array, errors, fromZod, integer, json, jsonBody, nullable, object, page, query, ref, string, success, type JsonSchema, type OperationMap, type Parameter } from './types.js';

const siteId: Parameter = {
  name: 'id', in: 'path', required: true, description: 'A site id (letters, digits, `.`, `_`, `-`)', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
};
const projectionName: Parameter = {
  name: 'name', in: 'path', required: true, description: 'A projection name, or `all`', schema: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
};
const hostName: JsonSchema = { type: 'string', description: 'A host name (`*.` allowed)', maxLength: 253 };
const issuerFields = { acme_account_id: { type: 'string', format: 'uuid' }, challenge_type: { type: 'string', enum: ['http-01', 'dns-01'] } };
const fanOut = (withEvent: boolean) => object({ ...(withEvent ? { event_id: string() } : {}), success: array(string()), errors: array(string()), servers: ref('NginxServers') }, ['success', 'errors', 'servers']);
const projection = object({ name: string(), version: integer(), position: string(), lag: string(), last_error: nullable(string()) });
const primeView = nullable(object({ position: nullable(string()), lag: nullable(string()), last_error: nullable(string()) }, [], 'The Redis prime; null without Redis'));

export const operationsOperations: OperationMap = {
  'POST /api/v1/redis/prime': {
    summary: 'Rewrite every domain of the Redis prime', tags: ['operations'],
    responses: {
      '200': json('The counts', object({
        domains: integer(), certificates: integer(), removed: integer(), batches: integer(), elapsed_ms: integer(), event_id: string(), styles: array(integer()),
      }, ['domains', 'certificates'])),
      ...errors(503),
    },
  },
  'POST /api/v1/nginx/cache-flush': {
    summary: 'Flush the cache of every nginx server', tags: ['nginx'], responses: { '200': json('Each server\'s answer', fanOut(true)), ...errors(503) },
  },
  'POST /api/v1/nginx/expire': {
    summary: 'Expire names from every nginx server\'s cache', tags: ['nginx'],
    requestBody: jsonBody(object({ domain_names: { type: 'array', items: { type: 'string', description: 'An exact DNS name (no wildcard)' }, minItems: 1, maxItems: 1000 } }, ['domain_names'])),
    responses: { '200': json('Each server\'s answer', fanOut(true)), ...errors(400, 503) },
  },
  'GET /api/v1/nginx/status': {
    summary: 'Every nginx server\'s cache status (not recorded)', tags: ['nginx'], responses: { '200': json('Each server\'s answer', fanOut(false)), ...errors(503) },
  },

  'GET /api/v1/sites': {
    summary: 'List sites', tags: ['sites'],
    parameters: [query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }), query('offset', { type: 'integer', minimum: 0, default: 0 }), query('host', hostName, 'Sites serving this host name')],
    responses: { '200': json('A page', page(ref('Site'))), ...errors(400) },
  },
  'POST /api/v1/sites/restore': {
    summary: 'Restore a site from a backup', description: 'Input is checked in full before anything is written.', tags: ['sites'], requestBody: jsonBody(fromZod(restoreBody)),
    responses: { '200': json('The outcome', ref('SiteOutcome')), ...errors(400, 409, 422, 429, 502, 504) },
  },
  'GET /api/v1/sites/{id}': {
    summary: 'One site', tags: ['sites'], parameters: [siteId], responses: { '200': json('The site', ref('Site')), ...errors(400, 404) },
  },
  'POST /api/v1/sites/{id}/deploy': {
    summary: 'Deploy (or redeploy) a site', description: '`tls: own` imports the given certificate and uses it; `acme` obtains one (a given certificate is considered); `none` serves no TLS.', tags: ['sites'],
    parameters: [siteId], requestBody: jsonBody(fromZod(deployBody)),
    responses: { '200': json('The outcome', ref('SiteOutcome')), ...errors(400, 409, 422, 429, 502, 504) },
  },
  'POST /api/v1/sites/{id}/undeploy': {
    summary: 'Undeploy a site', tags: ['sites'], parameters: [siteId], requestBody: jsonBody(object(issuerFields), false),
    responses: { '200': json('The outcome', ref('SiteOutcome')), ...errors(400, 404, 409) },
  },
  'POST /api/v1/sites/{id}/backup': {
    summary: 'Back a site up: its description with key and certificate', tags: ['sites'], parameters: [siteId],
    responses: { '200': json('The description (restore takes it as it is)', ref('SiteDescription')), ...errors(400, 404, 409) },
  },

  'GET /api/v1/projections': {
    summary: 'Each projection\'s checkpoint and lag behind the event log', tags: ['operations'],
    responses: {
      '200': json('The projections', object({
        head_position: string(), items: array(projection), redis_prime: primeView, rebuilding: array(object({ name: string(), started_at: string() })),
      }, ['head_position', 'items', 'rebuilding'])),
    },
  },
  'POST /api/v1/projections/{name}/rebuild': {
    summary: 'Rebuild a projection (or all) beside the live tables and swap', description: 'Answers when done; 409 while that projection is being rebuilt (here or in another process).',
    tags: ['operations'], parameters: [projectionName],
    responses: {
      '200': json('Counts and rates', success({
        results: array(object({ name: string(), kind: { type: 'string', enum: ['sql', 'redis'] }, position: string(), elapsed_ms: integer() }, ['name', 'kind'])),
        events: integer(), elapsed_ms: integer(), events_per_second: nullable(integer()),
      }, ['results'])),
      ...errors(400, 404, 409),
    },
  },
  'GET /api/v1/openapi.json': {
    summary: 'This document', tags: ['operations'], responses: { '200': json('The OpenAPI 3.1 document of the native API', { type: 'object' }) },
  },
};
