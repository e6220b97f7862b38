import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../src/http/admin-app.js';
import { listRoutes, type RouteEntry } from '../../src/http/route-list.js';
import { startTestStack, type TestStack } from '../support/app.js';

/** Hostile path segments: ids and names that are not, encodings, lengths, IDN, IPs, traversal. */
const segment = fc.oneof(
  fc.constantFrom('', '0', '-1', '00000000-0000-0000-0000-000000000000', 'not-an-id', '..', '%2e%2e', '%00', '%ff', '%E2%98%83',
    'xn--', 'xn--nxasmq6b.example', 'EXAMPLE.COM.', '*.example.com', '127.0.0.1', '[::1]', 'a'.repeat(300), `${'a'.repeat(63)}.${'b'.repeat(64)}.test`,
    'ünïcödé.example', 'a..b', 'a b', '1e400', 'NaN', 'null', 'undefined', '__proto__', 'constructor'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.uuid(),
);

/** Query strings: known and unknown names, repeated keys, odd values. */
const query = fc.array(fc.tuple(
  fc.constantFrom('limit', 'page', 'offset', 'after', 'since', 'until', 'status', 'idonly', 'openresty', 'expiring_days', 'type', 'stream', 'host', 'stashed', 'q', '__proto__'),
  fc.oneof(fc.constantFrom('-1', '0', '1', '1e9', '99999999999999999999', 'true', 'x', '', '%', '2026-13-45'), fc.string({ maxLength: 20 })),
), { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''));

/** Bodies: JSON of the wrong shapes and types, malformed JSON, form-encoded and oversized text. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
  fc.record({ reason: fc.oneof(fc.string(), fc.integer()), action: fc.string(), domain_name: fc.string(), account_id: fc.string(), identifiers: fc.anything({ maxDepth: 2 }) })
    .map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
  fc.constantFrom('{', '{"a":', '[1,2', 'null', '"x"', '\u0000').map((text) => ({ type: 'application/json', text })),
  fc.string({ maxLength: 200 }).map((text) => ({ type: 'application/x-www-form-urlencoded', text })),
  fc.constant({ type: 'text/plain', text: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }),
);

const fill = (path: string, values: string[]) => {
  let i = 0;
  return path.replace(/:(\w+)/g, () => values[i++ % values.length] ?? 'x');
};

// Routes whose success needs the outside world (ACME CA, nginx, Redis) are still fuzzed: with no
// such peer configured they must refuse cleanly, never 5xx from our side.
const ALLOWED_5XX = new Set([502, 503, 504]);

const DASHBOARD = '/.well-known/peter_sslers/dashboard';
const inDashboard = (path: string) => path === DASHBOARD || path.startsWith(`${DASHBOARD}/`);

/** A dashboard refusal is a page: an alert with the message, and for a 400 the fields at fault (a form's error summary or the error page's list). */
function dashboardRefusal(status: number, text: string): string | undefined {
  if (!/role="alert"/.test(text)) return 'no alert on the page';
  if (status === 400 && !/<li>(<a href="#f-[^"]+">|<strong>)/.test(text)) return '400 names no field';
  return undefined;
}

describe('every admin route under random input (fast-check)', () => {
  let stack: TestStack;
  let routes: RouteEntry[];
  /** The dashboard's CSRF cookie and field, so its forms are fuzzed past the CSRF check. */
  let csrf: { cookie: string; value: string };
  beforeAll(async () => {
    stack = await startTestStack('pglite');
    routes = listRoutes(createAdminApp(stack.deps)).filter((r) => r.path !== '/healthz' && r.path !== '/readyz');
    const login = await fetch(`${stack.admin.url}${DASHBOARD}/login`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    csrf = { cookie, value: /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]! };
  });
  afterAll(async () => stack?.close());

  it('never answers 500, answers refusals in JSON naming the problem, and writes no event for them', async () => {
    const problems: string[] = [];
    let requests = 0;
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...routes), fc.array(segment, { minLength: 1, maxLength: 3 }), query, body,
      async (route, values, q, payload) => {
        const url = `${stack.admin.url}${fill(route.path, values)}${q}`;
        const before = await stack.deps.store.headPosition();
        const dashboard = inDashboard(route.path);
        const sentBody = dashboard && payload.type === 'application/x-www-form-urlencoded' ? `${payload.text}&_csrf=${csrf.value}` : payload.text;
        const res = await fetch(url, {
          method: route.method,
          headers: { ...(dashboard ? { cookie: csrf.cookie } : {}), ...(route.method === 'GET' ? {} : { 'content-type': payload.type }) },
          ...(route.method === 'GET' ? {} : { body: sentBody }),
        });
        requests += 1;
        const text = await res.text();
        const label = `${route.method} ${url.slice(stack.admin.url.length, stack.admin.url.length + 160)} → ${res.status}`;
        if (res.status >= 500 && !ALLOWED_5XX.has(res.status)) problems.push(`${label}: ${text.slice(0, 200)}`);
        if (dashboard && res.status >= 400 && res.status !== 404 && res.status !== 405) {
          const wrong = dashboardRefusal(res.status, text);
          if (wrong) problems.push(`${label}: ${wrong}: ${text.slice(0, 160)}`);
        } else if (res.status >= 400 && res.status !== 404 && res.status !== 405) {
          let parsed: { result?: string; code?: string; message?: string; form_errors?: Record<string, string> } | undefined;
          try {
            parsed = JSON.parse(text) as typeof parsed;
          } catch {
            problems.push(`${label}: not JSON: ${text.slice(0, 120)}`);
          }
          if (parsed && (typeof parsed.message !== 'string' || parsed.message === '')) problems.push(`${label}: no message: ${text.slice(0, 120)}`);
          // A 400 names the field at fault; peter_sslers' "not enabled" answers are about configuration, not input.
          if (parsed && res.status === 400 && parsed.code !== 'not_enabled' && (!parsed.form_errors || Object.keys(parsed.form_errors).length === 0)) problems.push(`${label}: 400 names no field: ${text.slice(0, 160)}`);
        }
        if (res.status >= 400 && (await stack.deps.store.headPosition()) !== before) problems.push(`${label}: wrote events though refused`);
      },
    ), { numRuns: Number(process.env.FUZZ_RUNS ?? 1000), seed: Number(process.env.FUZZ_SEED ?? 20261203) });
    console.log(`fuzzed ${routes.length} routes with ${requests} requests: ${problems.length} problems`);
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
  }, 600_000);

  it('names a field called __proto__ like any other (found by the fuzz: it was lost to the prototype)', async () => {
    const res = await fetch(`${stack.admin.url}/api/v1/events?__proto__=x`);
    expect(res.status).toBe(400);
    expect(JSON.parse(await res.text())).toMatchObject({ form_errors: { ['__proto__']: 'unknown field' } });
  });
});
