import { pageQuery, privateKeyListQuery } from '../schemas/catalog.schema.js';
import { markBody } from '../schemas/lifecycle.schema.js';
import { certificateFilters } from './certificates.js';
import { download, PRIVATE_KEY_FILES } from './downloads.js';
import { array, boolean, errors, fromZod, integer, json, jsonBody, nullable, object, page, queryOf, record, ref, string, success, type Operation, type OperationMap } from './types.js';

const mark = jsonBody(fromZod(markBody), true, '`reason` is required; `actor` is recorded as `api:<actor>`');

const keyView = object({
  private_key: object({
    id: string(), key_technology: string(), spki_sha256: string(), source: string(), created_at: string(), is_compromised: boolean(),
    compromised_reason: nullable(string()), compromised_at: nullable(string()), is_shredded: boolean(), shredded_at: nullable(string()),
  }, ['id']),
  certificates: array(object({ id: string(), domain_names: array(string()), not_after: string(), is_active: boolean(), is_revoked: boolean(), needs_replacement: boolean() })),
}, ['private_key', 'certificates']);

const certificateMark = (verb: string): Operation => ({
  summary: `Mark a certificate: ${verb}`, tags: ['certificates'], requestBody: mark,
  responses: {
    '200': json('The certificate and the domains whose served certificate moved', success({ changed: boolean(), certificate: ref('Certificate'), domains: array(record('A domain\'s lifecycle and recents')) }, ['changed'])),
    ...errors(400, 404, 409),
  },
});
const domainMark = (verb: string): Operation => ({
  summary: `Mark a domain: ${verb}`, description: 'An inactive domain\'s config.json has `is_active: false` and no certificates.', tags: ['domains'], requestBody: mark,
  responses: { '200': json('The domain', success({ changed: boolean(), domain: record('The domain\'s lifecycle and recents') }, ['changed', 'domain'])), ...errors(400, 404, 409) },
});
const atRisk = object({
  certificate_id: string(), domain_names: array(string()), not_after: string(), days_left: integer(),
  risk: { type: 'string', enum: ['no_renewal', 'renewal_failing', 'renewal_late'] }, level: integer('The narrowest of 30/14/7/3/1/0 days reached'), renewal_configuration_id: nullable(string()),
});

export const lifecycleOperations: OperationMap = {
  'POST /api/v1/certificates/{id}/deactivate': certificateMark('deactivate'),
  'POST /api/v1/certificates/{id}/activate': certificateMark('activate (a revoked or expired one → 409)'),
  'POST /api/v1/certificates/{id}/revoke': certificateMark('revoked (in the catalog only; see revoke-acme)'),
  'POST /api/v1/domains/{key}/activate': domainMark('activate'),
  'POST /api/v1/domains/{key}/deactivate': domainMark('deactivate'),

  'GET /api/v1/private-keys': {
    summary: 'List private keys (never key material)', tags: ['private-keys'], parameters: queryOf(privateKeyListQuery),
    responses: { '200': json('A page', page(ref('PrivateKey'))), ...errors(400) },
  },
  'GET /api/v1/private-keys/{id}': {
    summary: 'One private key with its certificates', tags: ['private-keys'], responses: { '200': json('The key', keyView), ...errors(404) },
  },
  'POST /api/v1/private-keys/{id}/compromise': {
    summary: 'Mark a private key compromised', description: 'Its certificates list with `needs_replacement: true`.', tags: ['private-keys'], requestBody: mark,
    responses: { '200': json('The key', { allOf: [keyView, success({ changed: boolean() }, ['changed'])] }), ...errors(400, 404, 409) },
  },
  'POST /api/v1/private-keys/{id}/shred': {
    summary: 'Crypto-shred a private key',
    description: 'Deactivates the key\'s active certificates, records PrivateKeyShredded, then destroys the data key: the key is gone for good, its certificates and history stay; its downloads answer 409 and it can never be imported again. Idempotent (`changed: false`).',
    tags: ['private-keys'], requestBody: mark,
    responses: { '200': json('The key', { allOf: [keyView, success({ changed: boolean(), deactivated_certificate_ids: array(string()) }, ['changed'])] }), ...errors(400, 404, 409) },
  },
  'GET /api/v1/private-keys/{id}/certificates': {
    summary: 'Certificates of a private key', tags: ['private-keys'], parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400, 404) },
  },
  'GET /api/v1/private-keys/{id}/parse.json': {
    summary: 'A private key decoded (public parts)', tags: ['private-keys'], responses: { '200': json('Decoded fields', object({ private_key: record('Decoded fields') }, ['private_key'])), ...errors(404, 409) },
  },
  'GET /api/v1/private-keys/{id}/{file}': download('Download a private key (PKCS#8)', ['private-keys'], PRIVATE_KEY_FILES, { note: 'Sent with `Cache-Control: no-store`; a shredded key answers 409.' }),

  'GET /api/v1/unique-fqdn-sets': {
    summary: 'List name sets', tags: ['unique-fqdn-sets'], parameters: queryOf(pageQuery), responses: { '200': json('A page', page(ref('UniqueFqdnSet'))), ...errors(400) },
  },
  'GET /api/v1/unique-fqdn-sets/{id}': {
    summary: 'One name set', tags: ['unique-fqdn-sets'], responses: { '200': json('The set', object({ unique_fqdn_set: ref('UniqueFqdnSet') }, ['unique_fqdn_set'])), ...errors(404) },
  },
  'GET /api/v1/unique-fqdn-sets/{id}/certificates': {
    summary: 'Certificates of a name set', tags: ['unique-fqdn-sets'], parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400, 404) },
  },

  'POST /api/v1/maintenance/update-recents': {
    summary: 'Recompute every domain\'s recents', tags: ['maintenance'], responses: { '200': json('Done', success({ domains_changed: integer() }, ['domains_changed'])) },
  },
  'POST /api/v1/maintenance/deactivate-expired': {
    summary: 'Deactivate expired certificates', description: 'Not one still a domain\'s latest (seed rule).', tags: ['maintenance'],
    responses: { '200': json('Done', success({ count: integer(), certificate_ids: array(string()), kept_as_latest_ids: array(string()) }, ['count'])) },
  },
  'GET /api/v1/expiry-alerts': {
    summary: 'Served certificates that may expire before a renewal replaces them', tags: ['maintenance'],
    responses: { '200': json('At risk', object({ items: array(atRisk) }, ['items'])) },
  },
  'POST /api/v1/maintenance/expiry-alerts': {
    summary: 'Raise the expiry alerts due now', description: 'One CertificateExpiryAlertRaised per certificate and level, never twice.', tags: ['maintenance'],
    responses: { '200': json('Raised now, and every certificate at risk', success({ raised: array(atRisk), items: array(atRisk) }, ['raised', 'items'])) },
  },
};
