import { certificateUploadJson } from '../schemas/ca.schema.js';
import { listQuery } from '../schemas/certificate.schema.js';
import { CERTIFICATE_FILES, download, VIA_CHAIN_FILES } from './downloads.js';
import { array, boolean, errors, fromZod, json, object, queryOf, query, record, ref, string, type OperationMap } from './types.js';

const tags = ['certificates'];

export const LIST_FILTERS: Record<string, string> = {
  issuer: 'RFC 4514 issuer, matched case-insensitively as a substring (or whole with issuer_match=exact)',
  stashed: 'Kept by a site for a later deploy',
  expiring_within_days: 'Expires in (now, now + N days]',
};
/** The certificate filters (every list of certificates takes them). */
export const certificateFilters = queryOf(listQuery, LIST_FILTERS);

const multipart = {
  schema: object({
    certificate: { type: 'string', contentMediaType: 'application/octet-stream', description: 'PEM or DER' },
    private_key: { type: 'string', contentMediaType: 'application/octet-stream', description: 'PEM or DER' },
    chain: { type: 'string', contentMediaType: 'application/octet-stream', description: 'PEM or DER; optional' },
  }, ['certificate', 'private_key']),
};
const idOnly = query('idonly', { type: 'string', enum: ['1'] }, '`1` leaves out PEMs');
const uploaded = (key: string, schema: ReturnType<typeof ref>) => ({
  '201': json('Imported', object({ created: { const: true }, [key]: schema }, ['created', key])),
  '200': json('Already known', object({ created: { const: false }, [key]: schema }, ['created', key])),
});

export const certificateOperations: OperationMap = {
  'POST /api/v1/certificates': {
    summary: 'Upload a certificate with its private key',
    description: 'JSON `{certificate, private_key, chain}` or `{…, chains: [...]}` (first = the CA\'s default, others alternates); without a chain, every chain the known CA certificates build is linked. Or multipart files (PEM or DER, 1 MiB each).',
    tags,
    requestBody: { required: true, content: { 'application/json': { schema: fromZod(certificateUploadJson) }, 'multipart/form-data': multipart } },
    responses: { ...uploaded('certificate', ref('Certificate')), ...errors(400, 409) },
  },
  'GET /api/v1/certificates': {
    summary: 'List certificates', description: 'Soonest expiry first; filters combine with AND.', tags,
    parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400) },
  },
  'GET /api/v1/certificates/{id}': {
    summary: 'One certificate', tags, responses: { '200': json('The certificate', object({ certificate: ref('Certificate') }, ['certificate'])), ...errors(404) },
  },
  'GET /api/v1/certificates/{id}/config.json': {
    summary: 'The certificate as nginx takes it', tags, parameters: [idOnly], responses: { '200': json('The payload', ref('ConfigPayload')), ...errors(404, 409) },
  },
  'GET /api/v1/certificates/{id}/{file}': download('Download the certificate, its chain, full chain or key', tags, CERTIFICATE_FILES, { note: '`privkey.*` are sent with `Cache-Control: no-store`; a shredded key answers 409.' }),
  'GET /api/v1/certificates/{id}/parse.json': {
    summary: 'The certificate decoded', tags, responses: { '200': json('Decoded fields', object({ certificate: record('Decoded X.509 fields') }, ['certificate'])), ...errors(404) },
  },
  'GET /api/v1/certificates/{id}/trust-paths': {
    summary: 'Every trust path up through the known CA certificates', tags,
    responses: {
      '200': json('The paths', object({
        certificate_id: string(),
        trust_paths: array(object({
          ends_at_root: boolean(), ca_chain_id: { type: ['string', 'null'], description: 'The linked chain serving this path, if any' },
          ca_certificates: array(object({ id: string(), subject: string(), issuer: string(), fingerprint_sha1: string(), not_after: string(), is_self_signed: boolean() })),
        })),
      }, ['certificate_id', 'trust_paths'])),
      ...errors(404),
    },
  },
  'GET /api/v1/certificates/{id}/via-chain/{chainId}/config.json': {
    summary: 'The certificate as nginx takes it, through one of its alternate chains', tags, parameters: [idOnly],
    responses: { '200': json('The payload', ref('ConfigPayload')), ...errors(404, 409) },
  },
  'GET /api/v1/certificates/{id}/via-chain/{chainId}/{file}': download('Download the certificate through one of its alternate chains', tags, VIA_CHAIN_FILES, { note: '404 when that chain is not linked to the certificate.' }),
};
