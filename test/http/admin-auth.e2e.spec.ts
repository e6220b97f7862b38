import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../src/http/admin-app.js';
import { listRoutes, type RouteEntry } from '../../src/http/route-list.js';
import { startTestStack, type TestStack } from '../support/app.js';

const TOKEN = 'a-long-admin-token-for-tests';
const DASHBOARD = '/.well-known/peter_sslers/dashboard';
// Health probes, the dashboard's sign-in form and its style sheet and script: answered without the token.
const OPEN = new Set(['/healthz', '/readyz', `${DASHBOARD}/login`, `${DASHBOARD}/assets/:name`]);

// One plausible value per parameter name, so each request reaches the route it names.
const SAMPLE: Record<string, string> = {
  id: '0b7e3f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  chainId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  key: 'a.example.test',
  name: 'a.example.test',
  page: '1',
  file: 'cert.pem',
};
const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => {
  const value = SAMPLE[name];
  if (value === undefined) throw new Error(`no sample value for :${name} in ${path}`);
  return value;
});

const send = (base: string, route: RouteEntry, authorization?: string) =>
  fetch(`${base}${concrete(route.path)}`, {
    method: route.method,
    headers: { ...(authorization ? { authorization } : {}), ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    ...(route.method === 'GET' ? {} : { body: '{}' }),
  });

describe('every admin route, enumerated from the router', () => {
  let stack: TestStack;
  let routes: RouteEntry[];
  beforeAll(async () => {
    stack = await startTestStack('pglite', { adminToken: TOKEN });
    routes = listRoutes(createAdminApp(stack.deps)).filter((r) => !OPEN.has(r.path));
  });
  afterAll(async () => stack?.close());

  it('finds the routes of both APIs', () => {
    expect(routes.length).toBeGreaterThan(200);
    expect(routes).toContainEqual({ method: 'GET', path: '/.well-known/peter_sslers/domain/:key/config.json' });
    expect(routes).toContainEqual({ method: 'POST', path: '/api/v1/certificates' });
    expect(routes).toContainEqual({ method: 'GET', path: '/api/v1/events' });
    expect(routes).toContainEqual({ method: 'GET', path: `${DASHBOARD}/certificates/:id` });
  });

  it('answers 401 without the token and 403 with a wrong one, writing nothing', async () => {
    const before = await stack.deps.store.headPosition();
    const wrong: string[] = [];
    for (const route of routes) {
      const missing = await send(stack.admin.url, route);
      const forged = await send(stack.admin.url, route, 'Bearer not-the-admin-token-at-all');
      const label = `${route.method} ${route.path}`;
      if (missing.status !== 401 || missing.headers.get('www-authenticate') === null) wrong.push(`${label} without token: ${missing.status}`);
      if (forged.status !== 403) wrong.push(`${label} wrong token: ${forged.status}`);
      for (const res of [missing, forged]) {
        if (route.path.startsWith(`${DASHBOARD}/`) || route.path === DASHBOARD) {
          // A browser is shown the sign-in form instead.
          const page = await res.text();
          if (!res.headers.get('content-type')?.startsWith('text/html') || !page.includes('name="token"')) wrong.push(`${label}: no sign-in form`);
          continue;
        }
        const body = (await res.json()) as { result?: string };
        if (body.result !== 'error') wrong.push(`${label}: body ${JSON.stringify(body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await stack.deps.store.headPosition()).toBe(before);
    console.log(`auth checked on ${routes.length} admin routes (${routes.length * 2} refused requests)`);
  });

  it('lets the right token through (a route answers something other than 401/403)', async () => {
    const res = await send(stack.admin.url, { method: 'GET', path: '/api/v1/certificates' }, `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
  });

  it('answers 404 on the public app for every admin path, token or not', async () => {
    const served: string[] = [];
    for (const route of routes) {
      for (const authorization of [undefined, `Bearer ${TOKEN}`]) {
        const res = await send(stack.public.url, route, authorization);
        if (res.status !== 404 || res.headers.get('x-peter-sslers') !== 'public') served.push(`${route.method} ${route.path}: ${res.status}`);
        await res.arrayBuffer();
      }
    }
    expect(served).toEqual([]);
  });
});
