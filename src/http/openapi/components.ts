import { array, boolean, integer, nullable, object, record, ref, string, type JsonSchema, type Parameter } from './types.js';

const ERROR_MEANING: Record<number, string> = {
  400: 'Bad input: `form_errors` names each field (`body` for a body that does not parse, `path` for an undecodable path segment)',
  401: 'No bearer token (`WWW-Authenticate: Bearer`)',
  403: 'A bearer token that is not the admin token',
  404: 'Unknown object (or download name)',
  409: 'Conflict: the object is not in a state that allows this, or a concurrent change won',
  422: 'The ACME server refused the request because of what was asked (`acme_problem`)',
  429: 'Rate-limited (by the CA, or refused locally until a recorded rate limit ends): `Retry-After`, `retry_after`',
  502: 'The ACME server (or another upstream) failed or refused',
  503: 'A dependency is away (`database_unavailable` with `Retry-After: 5`, or a feature not configured, e.g. nginx); nothing was changed',
  504: 'The ACME server did not answer in time',
};

const errorBody: JsonSchema = object({
  result: { type: 'string', enum: ['error'] },
  code: string('A stable error code, e.g. `validation_error`, `not_found`, `illegal_state`, `concurrency_conflict`, `unauthorized`, `forbidden`, `service_unavailable`, `database_unavailable`'),
  message: string(),
  form_errors: { type: 'object', additionalProperties: { type: 'string' }, description: 'Field → problem' },
  acme_problem: record('The CA\'s problem document (RFC 8555 §6.7): type, detail, status, subproblems'),
  retry_after: string('When a rate limit ends (ISO-8601); also sent as Retry-After'),
}, ['result', 'code', 'message'], 'Every error answer of the native API');

const idString: JsonSchema = { type: 'string', format: 'uuid' };

/** Objects as the read models answer them; their fields are listed in README.md ("Admin app, native JSON"). */
const schemas: Record<string, JsonSchema> = {
  Error: errorBody,
  Certificate: object({
    id: idString, domain_names: array(string()), unique_fqdn_set_id: string(), not_before: string(), not_after: string(), serial: string(),
    chains: array(object({ id: string(), is_default: boolean(), is_selected: boolean() })),
  }, ['id'], 'A certificate (summary or list item: names, validity, flags, chains, sites holding it)'),
  CertificateList: object({ items: array(ref('Certificate')), total: integer(), limit: integer(), offset: integer() }, ['items', 'total'], 'Certificates, soonest expiry first'),
  CaCertificate: record('A CA certificate: id, subject, issuer, fingerprints, validity, self-signed flag'),
  CaChain: record('A chain of CA certificates, issuer of the leaf first'),
  PrivateKey: record('A private key\'s metadata (never key material): id, technology, is_compromised, is_shredded, shredded_at'),
  UniqueFqdnSet: record('A set of names certificates share'),
  ConfigPayload: object({
    id: string(), private_key: record('{id, pem}'), certificate: record('{id, pem}'), chain: record('{id, pem}'), fullchain: record('{id, pem}'),
  }, [], 'The certificate as nginx takes it (peter_sslers\' config.json); `?idonly=1` leaves out PEMs'),
  AcmeServer: record('An ACME server: id, name, directory URL, directory, is_default'),
  AcmeAccount: record('An ACME account: id, server, status, contact, key, order defaults'),
  AcmeOrder: record('An ACME order with its authorizations and their challenges'),
  AcmeAuthorization: record('An ACME authorization with its challenges'),
  AcmeChallenge: record('An ACME challenge: type, status, token, key authorization, polls'),
  Step: object({ step: string(), ok: boolean(), settled: boolean(), error: record('The problem, when the step failed') }, ['step', 'ok']),
  StepAnswer: object({
    result: { type: 'string', enum: ['success', 'error'] }, order: ref('AcmeOrder'), steps: array(ref('Step')), next_step: nullable(string()),
  }, ['result', 'order', 'steps'], 'The order after the step(s), the steps that ran and the next one; `result: error` when the CA refused a step'),
  StoredEvent: object({
    position: string(), id: string(), stream: string(), revision: integer(), type: string(), created_at: string(), data: record('Event data'), metadata: record('Event metadata'),
  }, ['position', 'type']),
  EventPage: object({ items: array(ref('StoredEvent')), next_after: nullable(string('Give as `after` for the next page')) }, ['items']),
  RenewalConfiguration: record('A renewal configuration: identifiers, primary and backup issuers, is_auto_renew, is_active, lineage'),
  AttemptOutcome: object({
    configuration_id: string(), claimed: boolean(), reason: string(), result: { type: 'string', enum: ['success', 'error'] }, attempt_id: string(),
    order_id: string(), certificate_id: string(), used_backup: boolean(), message: string(),
  }, ['configuration_id', 'claimed'], 'One renewal attempt'),
  SystemPolicy: object({ name: string(), is_configured: boolean(), primary: nullable(record('{account_id, key_technology, key_policy, profile}')), backup: nullable(record('as primary')), updated_at: string() }, ['name', 'is_configured']),
  Site: object({
    site_id: string(), status: string(), host_names: array(string()), wish: record('{kind: none|acme|own, certificate_id?}'), current: record('{kind, certificate_id?, not_after?}'),
    stashed_certificates: array(object({ certificate_id: string(), not_after: string(), stashed: boolean() })), pending_issue: nullable(record('{attempt_id, started_at}')),
  }, ['site_id', 'status']),
  SiteOutcome: object({ site: nullable(ref('Site')), events: array(string()), tls_failure: nullable(record('Why TLS could not be set up')), order_id: nullable(string()) }, ['site', 'events']),
  SiteDescription: object({
    site_id: string(), host_names: array(string()), wish: record('{kind, certificate_id?}'), deployed: boolean(),
    certificate: nullable(object({ certificate_id: string(), not_after: string(), cert_pem: string(), chain_pems: array(string()), key_pem: string() })),
  }, ['site_id', 'host_names', 'wish']),
  NginxServers: array(object({ server: string(), ok: boolean(), status: integer(), error: string(), elapsed_ms: integer(), domains: array(record('{domain_name, ok, error?}')), answer: record('The server\'s answer') })),
};

export const responses = Object.fromEntries(
  Object.entries(ERROR_MEANING).map(([status, description]) => [`Error${status}`, { description, content: { 'application/json': { schema: ref('Error') } } }]),
);

export const components = {
  securitySchemes: {
    adminToken: { type: 'http', scheme: 'bearer', description: 'CERTLEDGER_ADMIN_TOKEN: `Authorization: Bearer <token>`' },
  },
  schemas,
  responses,
};

/** Path parameters by name; an operation may declare its own (downloads name their files). */
export const PATH_PARAMETERS: Record<string, Parameter> = {
  id: { name: 'id', in: 'path', required: true, description: 'The object\'s id (a UUID)', schema: { type: 'string' } },
  chainId: { name: 'chainId', in: 'path', required: true, description: 'A CA chain id linked to the certificate', schema: { type: 'string' } },
  key: { name: 'key', in: 'path', required: true, description: 'A domain name (normalised: lower case, A-labels) or a domain id', schema: { type: 'string' } },
  name: { name: 'name', in: 'path', required: true, description: 'A name (domain, projection or system policy, see the operation)', schema: { type: 'string' } },
  file: { name: 'file', in: 'path', required: true, description: 'A download name', schema: { type: 'string' } },
};
