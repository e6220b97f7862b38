import { domainListQuery } from '../schemas/catalog.schema.js';
import { eventListQuery, historyQuery } from '../schemas/events.schema.js';
import { certificateFilters } from './certificates.js';
import { boolean, errors, json, nullable, object, page, queryOf, record, ref, string, type OperationMap } from './types.js';

const tags = ['domains'];

export const domainOperations: OperationMap = {
  'GET /api/v1/domains': {
    summary: 'List domains', tags,
    parameters: queryOf(domainListQuery, {
      name_prefix: 'The start of a (normalised) name',
      expiring_within_days: 'A served certificate (latest single or multi) expires in (now, now + N days]',
      without_active_certificate: 'No active certificate names the domain',
    }),
    responses: { '200': json('A page of domains and their recents', page(record('A domain and its recents'))), ...errors(400) },
  },
  'GET /api/v1/domains/{key}': {
    summary: 'One domain and its latest single and multi certificates', tags,
    responses: {
      '200': json('The domain', object({
        domain: object({ id: string(), domain_name: string(), is_active: boolean() }),
        certificate_latest_single: nullable(ref('Certificate')), certificate_latest_multi: nullable(ref('Certificate')),
      }, ['domain', 'certificate_latest_single', 'certificate_latest_multi'])),
      ...errors(400, 404),
    },
  },
  'GET /api/v1/domains/{key}/certificates': {
    summary: 'Every certificate naming the domain', tags, parameters: certificateFilters, responses: { '200': json('A page of certificates', ref('CertificateList')), ...errors(400, 404) },
  },
  'GET /api/v1/domains/{name}/history': {
    summary: 'Every event that touched a domain', description: 'Oldest first; continue with `after=next_after`; 404 when none did.', tags: [...tags, 'events'],
    parameters: [{ name: 'name', in: 'path', required: true, description: 'A domain name (normalised as certificates name it)', schema: { type: 'string', maxLength: 300 } }, ...queryOf(historyQuery)],
    responses: { '200': json('A page of events', { allOf: [ref('EventPage'), object({ domain_name: string() }, ['domain_name'])] }), ...errors(400, 404) },
  },
  'GET /api/v1/events': {
    summary: 'The event log (audit)', description: 'Oldest first; filters combine with AND; `stream` and `type` repeat; continue with `after=next_after`.', tags: ['events'],
    parameters: queryOf(eventListQuery, { since: 'ISO-8601 time with a zone', until: 'ISO-8601 time with a zone', after: 'A global position (a whole number)' }),
    responses: { '200': json('A page of events', ref('EventPage')), ...errors(400) },
  },
};
