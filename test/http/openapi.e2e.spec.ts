import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createAdminApp } from '../../src/http/admin-app.js';
import { listRoutes } from '../../src/http/route-list.js';
import { createOrderBody } from '../../src/http/schemas/acme-order.schema.js';
import { createAccountBody, contactBody } from '../../src/http/schemas/acme-account.schema.js';
import { markBody } from '../../src/http/schemas/lifecycle.schema.js';
import { systemPolicyBody } from '../../src/http/schemas/renewal.schema.js';
import { startTestStack, type TestStack } from '../support/app.js';

const TOKEN = 'an-admin-token-for-the-openapi-test';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Parameter = { name: string; in: string; required?: boolean };
type Operation = { summary?: string; tags?: string[]; operationId?: string; parameters?: Parameter[]; responses?: Record<string, unknown>; requestBody?: { content: Record<string, { schema: { required?: string[] } }> } };
type Document = { openapi: string; tags: { name: string }[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const operationsOf = (document: Document) => Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, operation })));

describe('GET /api/v1/openapi.json', () => {
  let stack: TestStack;
  let document: Document;
  beforeAll(async () => {
    stack = await startTestStack('pglite', { adminToken: TOKEN });
    const res = await fetch(`${stack.admin.url}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await res.json()) as Document;
  });
  afterAll(async () => stack?.close());

  it('documents every /api/v1 route of the router, and nothing else', () => {
    const routes = new Set(listRoutes(createAdminApp(stack.deps))
      .filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(operationsOf(document).map((o) => o.key));
    const undocumented = [...routes].filter((r) => !documented.has(r));
    const missing = [...documented].filter((o) => !routes.has(o));
    console.log(`openapi: ${routes.size} routes under /api/v1, ${documented.size} documented operations`);
    expect(undocumented).toEqual([]);
    expect(missing).toEqual([]);
    expect(routes.size).toBeGreaterThanOrEqual(129);
  });

  it('gives every operation a summary, known tags, a 2xx answer, an id and its path parameters', () => {
    const declaredTags = new Set(document.tags.map((t) => t.name));
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const { key, path, operation } of operationsOf(document)) {
      if (!operation.summary?.trim()) problems.push(`${key}: no summary`);
      if (!operation.tags?.length) problems.push(`${key}: no tags`);
      for (const tag of operation.tags ?? []) if (!declaredTags.has(tag)) problems.push(`${key}: undeclared tag ${tag}`);
      if (!Object.keys(operation.responses ?? {}).some((status) => /^2\d\d$/.test(status))) problems.push(`${key}: no 2xx response`);
      if (!operation.responses?.['401'] || !operation.responses['403']) problems.push(`${key}: no 401/403`);
      if (!operation.operationId || ids.has(operation.operationId)) problems.push(`${key}: missing or repeated operationId`);
      ids.add(operation.operationId ?? '');
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
      if (declared.some((p) => p.required !== true)) problems.push(`${key}: a path parameter not required`);
      const names = declared.map((p) => p.name).sort();
      if (JSON.stringify(names) !== JSON.stringify(inPath)) problems.push(`${key}: path parameters ${names.join(',')} ≠ ${inPath.join(',')}`);
    }
    expect(problems).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('says the common error body once and refers to it', () => {
    const error = document.components.schemas.Error as { required: string[] };
    expect(error.required).toEqual(['result', 'code', 'message']);
    const text = JSON.stringify(document.paths);
    for (const status of [400, 401, 403, 404, 409, 503]) expect(text).toContain(`#/components/responses/Error${status}`);
  });

  // The body schemas come from the routes' own zod schemas: what the doc requires is what validation requires.
  const cases: { key: string; schema: z.ZodType; valid: Record<string, unknown>; required: string[] }[] = [
    {
      key: 'POST /api/v1/acme-orders',
      schema: createOrderBody,
      valid: { account_id: '0b7e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', domain_names_http01: ['a.example.test'] },
      required: ['account_id'],
    },
    { key: 'POST /api/v1/private-keys/{id}/shred', schema: markBody, valid: { reason: 'key left the building' }, required: ['reason'] },
    { key: 'POST /api/v1/certificates/{id}/deactivate', schema: markBody, valid: { reason: 'retired' }, required: ['reason'] },
    { key: 'PUT /api/v1/acme-accounts/{id}/contact', schema: contactBody, valid: { contact: ['ops@example.test'] }, required: ['contact'] },
    { key: 'POST /api/v1/acme-accounts', schema: createAccountBody, valid: {}, required: [] },
    {
      key: 'PUT /api/v1/system-policies/{name}',
      schema: systemPolicyBody,
      valid: { primary: { account_id: '0b7e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', key_technology: 'EC_P256', key_policy: 'single_use' } },
      required: ['primary'],
    },
  ];
  for (const { key, schema, valid, required } of cases) {
    it(`${key}: the documented required fields are the ones validation requires`, () => {
      const [method, path] = key.split(' ') as [string, string];
      const body = document.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
      expect(body).toBeDefined();
      expect([...(body!.required ?? [])].sort()).toEqual([...required].sort());
      expect(schema.safeParse(valid).success).toBe(true);
      for (const field of required) {
        const { [field]: _dropped, ...without } = valid;
        const parsed = schema.safeParse(without);
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues.map((i) => i.path[0])).toContain(field);
      }
    });
  }

  it('lists the file names and content types of downloads', () => {
    const download = document.paths['/api/v1/certificates/{id}/{file}']!.get!;
    const file = download.parameters!.find((p) => p.name === 'file') as Parameter & { schema: { enum: string[] } };
    expect(file.schema.enum).toEqual(expect.arrayContaining(['cert.pem', 'cert.der', 'fullchain.pem', 'privkey.key']));
    expect(Object.keys((download.responses!['200'] as { content: object }).content)).toEqual(
      expect.arrayContaining(['application/x-pem-file', 'application/pkix-cert', 'application/pkcs8']),
    );
  });
});
