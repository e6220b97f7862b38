import { acmeAccountOperations } from './acme-accounts.js';
import { acmeOrderOperations } from './acme-orders.js';
import { caOperations } from './ca.js';
import { certificateOperations } from './certificates.js';
import { components, PATH_PARAMETERS } from './components.js';
import { domainOperations } from './domains.js';
import { issuanceOperations } from './issuance.js';
import { lifecycleOperations } from './lifecycle.js';
import { operationsOperations } from './operations.js';
import { renewalOperations } from './renewal.js';
import type { Operation, OperationMap, Parameter } from './types.js';

const GROUPS: OperationMap[] = [
  certificateOperations, caOperations, lifecycleOperations, domainOperations, acmeAccountOperations, acmeOrderOperations,
  issuanceOperations, renewalOperations, operationsOperations,
];

/** Every route's operation, keyed `"METHOD /api/v1/path/{param}"`; a key in two groups is a mistake. */
export function allOperations(): OperationMap {
  const all: OperationMap = {};
  for (const group of GROUPS) {
    for (const [key, operation] of Object.entries(group)) {
      if (all[key]) throw new Error(`OpenAPI: ${key} is documented twice`);
      all[key] = operation;
    }
  }
  return all;
}

const KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/\S*)$/;

/** The path's own parameters (from PATH_PARAMETERS unless the operation declares its own), then the operation's. */
function parametersOf(path: string, operation: Operation): Parameter[] {
  const given = operation.parameters ?? [];
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const fromPath = inPath.filter((name) => !given.some((p) => p.in === 'path' && p.name === name)).map((name) => {
    const parameter = PATH_PARAMETERS[name];
    if (!parameter) throw new Error(`OpenAPI: no description of the path parameter {${name}} (${path})`);
    return parameter;
  });
  return [...fromPath, ...given];
}

const operationId = (method: string, path: string) =>
  method.toLowerCase() + path.replace(/^\/api\/v1/, '').split(/[/.-]/).filter(Boolean).map((s) => {
    const word = s.replace(/[{}]/g, '');
    return word.charAt(0).toUpperCase() + word.slice(1);
  }).join('') + (path.endsWith('.json') ? 'Json' : '');

const TAGS = [
  ['certificates', 'Certificates: upload, lists, downloads, marks'],
  ['ca-certificates', 'CA certificates and AIA reconciliation'],
  ['ca-chains', 'CA chains and the chain preference policy'],
  ['private-keys', 'Private keys (key material only in downloads), compromise and shredding'],
  ['unique-fqdn-sets', 'Sets of names certificates share'],
  ['domains', 'Domains, their recents and marks'],
  ['events', 'The event log and audit histories'],
  ['maintenance', 'Maintenance runs and expiry alerts'],
  ['acme-servers', 'ACME servers (directories, profiles)'],
  ['acme-accounts', 'ACME accounts (RFC 8555 §7.3)'],
  ['acme-orders', 'ACME orders and their steps'],
  ['acme-authorizations', 'ACME authorizations'],
  ['acme-challenges', 'ACME challenges'],
  ['issuance', 'Issuance on request: autocert, certificate-if-needed, the domain queue'],
  ['renewal', 'Renewal configurations, system policies, the renewal queue, ARI'],
  ['sites', 'Sites: deploy, undeploy, backup, restore'],
  ['nginx', 'nginx cache control'],
  ['operations', 'Projections, the Redis prime, this document'],
].map(([name, description]) => ({ name: name!, description: description! }));

const ALWAYS = {
  '401': { $ref: '#/components/responses/Error401' },
  '403': { $ref: '#/components/responses/Error403' },
  '503': { $ref: '#/components/responses/Error503' },
};

/** The document: built from the operation maps and the zod schemas; the route builds it once per process. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, operation] of Object.entries(allOperations())) {
    const match = KEY.exec(key);
    if (!match) throw new Error(`OpenAPI: bad operation key ${key}`);
    const [, method, path] = match as unknown as [string, string, string];
    const parameters = parametersOf(path, operation);
    (paths[path] ??= {})[method.toLowerCase()] = {
      operationId: operationId(method, path),
      ...operation,
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: { ...operation.responses, ...Object.fromEntries(Object.entries(ALWAYS).filter(([status]) => !(status in operation.responses))) },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'certledger native API',
      version: 'v1',
      description: 'The native JSON API of the admin app (`/api/v1`). Errors are `{result: "error", code, message, form_errors?}`; a refused request never writes an event. Lists take `limit` (1–1000, default 50) and `offset` and answer `{items, total, limit, offset}`. The peter_sslers-compatible routes under the admin prefix are not described here.',
    },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    tags: TAGS,
    paths,
    components,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

let built: OpenApiDocument | undefined;
/** The document, built once per process (on first use): the zod schemas and maps do not change while it runs. */
export const openApiDocument = (): OpenApiDocument => (built ??= buildOpenApiDocument());
