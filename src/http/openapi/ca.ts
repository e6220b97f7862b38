import { caCertificateJson, caChainJson, chainPreferencePut } from '../schemas/ca.schema.js';
import { pageQuery, parseJsonBody } from '../schemas/catalog.schema.js';
import { certificateFilters } from './certificates.js';
import { CA_CERTIFICATE_FILES, CA_CHAIN_FILES, download } from './downloads.js';
import { array, boolean, errors, fromZod, integer, json, object, page, queryOf, record, ref, string, type OperationMap } from './types.js';

const ca = ['ca-certificates'];
const chains = ['ca-chains'];

const fileUpload = (field: string) => ({
  schema: object({ [field]: { type: 'string', contentMediaType: 'application/octet-stream', description: 'PEM or DER' } }, [field]),
});
const uploaded = (key: string, item: string) => ({
  '201': json('Imported', object({ created: { const: true }, [key]: ref(item) }, ['created', key])),
  '200': json('Already known (same fingerprint)', object({ created: { const: false }, [key]: ref(item) }, ['created', key])),
});
const preference = object({
  fingerprints_sha1: array(string(), 'CA SHA-1 fingerprints, most preferred first'),
  items: array(record('{fingerprint_sha1, …} of each entry')),
}, ['fingerprints_sha1', 'items']);

export const caOperations: OperationMap = {
  'POST /api/v1/ca-certificates': {
    summary: 'Upload a CA certificate', tags: ca,
    requestBody: { required: true, content: { 'application/json': { schema: fromZod(caCertificateJson) }, 'multipart/form-data': fileUpload('certificate') } },
    responses: { ...uploaded('ca_certificate', 'CaCertificate'), ...errors(400) },
  },
  'GET /api/v1/ca-certificates': {
    summary: 'List CA certificates', tags: ca, parameters: queryOf(pageQuery), responses: { '200': json('A page', page(ref('CaCertificate'))), ...errors(400) },
  },
  'POST /api/v1/ca-certificates/reconcile': {
    summary: 'AIA reconciliation', description: 'Downloads the AIA "CA Issuers" of CA certificates whose issuer is unknown, verifies and enrols them, and repeats upwards.', tags: ca,
    responses: {
      '200': json('The report', object({
        checked: integer(),
        enrolled: array(object({ ca_certificate_id: string(), subject: string(), url: string(), created: boolean() })),
        linked: array(object({ ca_certificate_id: string(), issuer_ca_certificate_id: string(), url: string() })),
        failed: array(object({ ca_certificate_id: string(), url: string(), error: string() })),
      }, ['checked', 'enrolled', 'linked', 'failed'])),
    },
  },
  'GET /api/v1/ca-certificates/{id}': {
    summary: 'One CA certificate', tags: ca, responses: { '200': json('The CA certificate', object({ ca_certificate: ref('CaCertificate') }, ['ca_certificate'])), ...errors(404) },
  },
  'GET /api/v1/ca-certificates/{id}/signs': {
    summary: 'What a CA certificate signs', tags: ca,
    responses: { '200': json('Counts and signed CA certificates', object({ ca_certificate_id: string(), certificates_total: integer() }, ['ca_certificate_id', 'certificates_total'])), ...errors(404) },
  },
  'GET /api/v1/ca-certificates/{id}/certificates': {
    summary: 'Certificates a CA certificate issued', tags: ca, parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400, 404) },
  },
  'GET /api/v1/ca-certificates/{id}/parse.json': {
    summary: 'A CA certificate decoded', tags: ca, responses: { '200': json('Decoded fields', object({ ca_certificate: record('Decoded X.509 fields') }, ['ca_certificate'])), ...errors(404) },
  },
  'GET /api/v1/ca-certificates/{id}/{file}': download('Download a CA certificate', ca, CA_CERTIFICATE_FILES, { caTypes: true }),

  'POST /api/v1/ca-chains': {
    summary: 'Upload a CA chain', description: 'Issuer of the leaf first, each CA signing the one before; de-duplicated by fingerprints.', tags: chains,
    requestBody: { required: true, content: { 'application/json': { schema: fromZod(caChainJson) }, 'multipart/form-data': fileUpload('chain') } },
    responses: { ...uploaded('ca_chain', 'CaChain'), ...errors(400) },
  },
  'GET /api/v1/ca-chains': {
    summary: 'List CA chains', tags: chains, parameters: queryOf(pageQuery), responses: { '200': json('A page', page(ref('CaChain'))), ...errors(400) },
  },
  'GET /api/v1/ca-chains/{id}': {
    summary: 'One CA chain', tags: chains, responses: { '200': json('The chain', object({ ca_chain: ref('CaChain') }, ['ca_chain'])), ...errors(404) },
  },
  'GET /api/v1/ca-chains/{id}/ca-certificates': {
    summary: 'The CA certificates of a chain, issuer of the leaf first', tags: chains,
    responses: { '200': json('The chain and its CA certificates', object({ ca_chain: ref('CaChain'), items: array(ref('CaCertificate')) }, ['ca_chain', 'items'])), ...errors(404) },
  },
  'GET /api/v1/ca-chains/{id}/certificates': {
    summary: 'Certificates linked to a chain', tags: chains, parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400, 404) },
  },
  'GET /api/v1/ca-chains/{id}/{file}': download('Download a CA chain', chains, CA_CHAIN_FILES),

  'GET /api/v1/chain-preference': {
    summary: 'The chain preference policy', tags: chains, responses: { '200': json('The policy', preference) },
  },
  'PUT /api/v1/chain-preference': {
    summary: 'Set the chain preference policy',
    description: 'The served chain of every certificate is the first whose top certificate is earliest in this list, else the CA\'s default.', tags: chains,
    requestBody: { required: true, content: { 'application/json': { schema: fromZod(chainPreferencePut) } } },
    responses: { '200': json('The policy after the change', { allOf: [preference, object({ changed: boolean() }, ['changed'])] }), ...errors(400, 409) },
  },
  'POST /api/v1/parse': {
    summary: 'Decode a PEM object', description: 'A certificate, CA certificate, CSR or key.', tags: ['certificates'],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: fromZod(parseJsonBody) }, 'multipart/form-data': fileUpload('file') },
    },
    responses: { '200': json('What it is and its fields', object({ kind: string(), parsed: record('Decoded fields') }, ['kind', 'parsed'])), ...errors(400) },
  },
};
