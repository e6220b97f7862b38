import { accountListQuery, contactBody, createAccountBody, defaultsBody, historyQuery, registerServerBody, rolloverBody, uploadAccountBody } from '../schemas/acme-account.schema.js';
import { array, boolean, errors, fromZod, integer, json, jsonBody, object, page, queryOf, record, ref, string, success, type Operation, type OperationMap } from './types.js';

const servers = ['acme-servers'];
const accounts = ['acme-accounts'];
const ACME = errors(400, 404, 409, 422, 429, 502, 504);

const server = (what: string) => json(what, success({ changed: boolean(), acme_server: ref('AcmeServer') }, ['acme_server']));
const account = (what: string, extra: Record<string, ReturnType<typeof string>> = {}) => json(what, success({ ...extra, acme_account: ref('AcmeAccount') }, ['acme_account']));
const history = (summary: string): Operation => ({
  summary, tags: accounts, parameters: queryOf(historyQuery),
  responses: { '200': json('A page of the account\'s events', page(record('An event of the account\'s stream'))), ...errors(400, 404) },
});
const contact: Operation = {
  summary: 'Replace the account\'s contact', description: 'RFC 8555 §7.3.2, at the CA and here.', tags: accounts, requestBody: jsonBody(fromZod(contactBody)),
  responses: { '200': account('The account'), ...ACME },
};
const defaults: Operation = {
  summary: 'Change the account\'s order defaults', tags: accounts, requestBody: jsonBody(fromZod(defaultsBody)),
  responses: { '200': account('The account', { changed: boolean() }), ...errors(400, 404, 409) },
};

export const acmeAccountOperations: OperationMap = {
  'POST /api/v1/acme-servers': {
    summary: 'Register an ACME server', description: 'The directory is fetched and kept; exactly one server is the default.', tags: servers,
    requestBody: jsonBody(fromZod(registerServerBody)),
    responses: {
      '201': json('Registered', success({ created: boolean(), acme_server: ref('AcmeServer') }, ['created', 'acme_server'])),
      '200': json('Already registered', success({ created: boolean(), acme_server: ref('AcmeServer') }, ['created', 'acme_server'])),
      ...errors(400, 409, 502, 504),
    },
  },
  'GET /api/v1/acme-servers': {
    summary: 'List ACME servers', tags: servers, responses: { '200': json('Every server', object({ items: array(ref('AcmeServer')), total: integer() }, ['items', 'total'])) },
  },
  'GET /api/v1/acme-servers/{id}': { summary: 'One ACME server', tags: servers, responses: { '200': json('The server', ref('AcmeServer')), ...errors(404) } },
  'POST /api/v1/acme-servers/{id}/refresh': {
    summary: 'Fetch the directory again', description: 'A change is recorded only when the directory changed.', tags: servers,
    responses: { '200': server('The server'), ...errors(404, 502, 504) },
  },
  'POST /api/v1/acme-servers/{id}/make-default': { summary: 'Make a server the default', tags: servers, responses: { '200': server('The server'), ...errors(404, 409) } },
  'GET /api/v1/acme-servers/{id}/profiles': {
    summary: 'The ACME profiles a server offers', tags: servers,
    responses: { '200': json('The profiles', object({ items: array(record('{name, description}')), total: integer() }, ['items', 'total'])), ...errors(404) },
  },

  'POST /api/v1/acme-accounts': {
    summary: 'Create an ACME account (a new key) and register it', tags: accounts, requestBody: jsonBody(fromZod(createAccountBody), false),
    responses: { '201': json('Created', success({ created: boolean(), acme_account: ref('AcmeAccount') }, ['created', 'acme_account'])), ...ACME },
  },
  'POST /api/v1/acme-accounts/upload': {
    summary: 'Upload an ACME account key (PEM or certbot\'s account files)',
    description: 'Give `key_pem` or `certbot` ({private_key, regr, meta}), not both. Without `acme_server_id`, certbot\'s account URL names the server. One key never serves two accounts (409).',
    tags: accounts, requestBody: jsonBody(fromZod(uploadAccountBody)),
    responses: {
      '201': json('Created', success({ created: boolean(), created_at_acme_server: boolean(), acme_account: ref('AcmeAccount') }, ['created', 'acme_account'])),
      '200': json('Already known', success({ created: boolean(), created_at_acme_server: boolean(), acme_account: ref('AcmeAccount') }, ['created', 'acme_account'])),
      ...ACME,
    },
  },
  'GET /api/v1/acme-accounts': {
    summary: 'List ACME accounts', tags: accounts, parameters: queryOf(accountListQuery), responses: { '200': json('A page', page(ref('AcmeAccount'))), ...errors(400) },
  },
  'GET /api/v1/acme-accounts/{id}': { summary: 'One ACME account', tags: accounts, responses: { '200': json('The account', ref('AcmeAccount')), ...errors(404) } },
  'GET /api/v1/acme-accounts/{id}/exchanges': history('The account\'s HTTP exchanges with the CA'),
  'GET /api/v1/acme-accounts/{id}/events': history('Every event of the account'),
  'POST /api/v1/acme-accounts/{id}/register': {
    summary: 'Register the account at its CA (newAccount)', tags: accounts,
    requestBody: jsonBody(fromZod(createAccountBody.pick({ eab: true })), false, 'External account binding, when the CA asks for one'),
    responses: { '200': account('The account', { created_at_acme_server: boolean() }), ...ACME },
  },
  'POST /api/v1/acme-accounts/{id}/check': {
    summary: 'Ask the CA for the account\'s status', tags: accounts,
    responses: { '200': account('The account and what the CA said', { check: record('The check\'s result') }), ...ACME },
  },
  'PUT /api/v1/acme-accounts/{id}/contact': contact,
  'POST /api/v1/acme-accounts/{id}/contact': { ...contact, summary: 'Replace the account\'s contact (POST alias of PUT)' },
  'POST /api/v1/acme-accounts/{id}/rollover': {
    summary: 'Roll the account key over (RFC 8555 §7.3.5)', description: 'A generated key (`key_technology`) or a given one (`key_pem`).', tags: accounts,
    requestBody: jsonBody(fromZod(rolloverBody), false),
    responses: { '200': account('The account with its new key', { old_key_id: string() }), ...ACME },
  },
  'POST /api/v1/acme-accounts/{id}/deactivate': {
    summary: 'Deactivate the account at the CA (RFC 8555 §7.3.6)', tags: accounts, responses: { '200': account('The account', { changed: boolean() }), ...ACME },
  },
  'PUT /api/v1/acme-accounts/{id}/defaults': defaults,
  'PATCH /api/v1/acme-accounts/{id}/defaults': { ...defaults, summary: 'Change the account\'s order defaults (PATCH alias of PUT)' },
};
