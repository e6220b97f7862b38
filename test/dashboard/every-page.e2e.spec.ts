/**
 * Every dashboard page, enumerated from the router (a new page without a sample here fails),
 * fetched as text with no JavaScript: the HTML's main landmark holds its h1 and its content, and
 * Lynx — a real text browser — renders the same content and every link of the navigation.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import axe from 'axe-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../src/http/admin-app.js';
import { listRoutes } from '../../src/http/route-list.js';
import { json } from '../support/app.js';
import { newContext, openBrowser } from '../support/browser.js';
import { uniqueName } from '../acme/orders-support.js';
import { DASHBOARD, startDashboardData, type DashboardData } from './dashboard-support.js';

const run = promisify(execFile);

/** What a page must show: a word of its own and, for a detail page, the thing it is about. */
type Sample = { path: string; shows: string };

const textOf = (markup: string) => markup.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ')
  .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

describe('every dashboard page as text (no JavaScript; Lynx)', () => {
  let data: DashboardData;
  let samples: Map<string, Sample>;
  let getRoutes: string[];
  let browser: Browser;

  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${data.origin}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await json(res);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    const renewalName = uniqueName('every-page-renewal');
    const renewal = await post('/renewal-configurations', { domain_names_dns01: [renewalName], primary: { account_id: data.accountId } });
    const siteId = `every-page-${Date.now().toString(36)}`;
    const siteHost = uniqueName('every-page-site');
    await post(`/sites/${siteId}/deploy`, { host_names: [siteHost], tls: 'none' });
    const db = data.stack.handle.db;
    const domain = await db.selectFrom('domains').select(['id', 'domain_name']).where('domain_name', '=', data.imported[0]!.names[0]!).executeTakeFirstOrThrow();
    const ca = await db.selectFrom('ca_certificates').select(['id']).where('subject', 'like', '%Dashboard Test CA%').executeTakeFirstOrThrow();
    const chain = await db.selectFrom('certificate_chains').select(['ca_chain_id']).where('certificate_id', '=', data.issued.certificateId).where('is_default', '=', true).executeTakeFirstOrThrow();
    const renewalId = (renewal.renewal_configuration?.id ?? renewal.id) as string;
    samples = new Map<string, Sample>([
      ['', { path: '/', shows: 'Overview' }],
      ['/domains', { path: '/domains', shows: domain.domain_name }],
      ['/domains/:key', { path: `/domains/${domain.id}`, shows: domain.domain_name }],
      ['/certificates', { path: '/certificates', shows: data.imported[2]!.names[0]! }],
      ['/certificates/upload', { path: '/certificates/upload', shows: 'Private key' }],
      ['/certificates/:id', { path: `/certificates/${data.issued.certificateId}`, shows: data.issued.name }],
      ['/orders', { path: '/orders', shows: data.issued.name }],
      ['/orders/new', { path: '/orders/new', shows: 'dns-01' }],
      ['/orders/:id', { path: `/orders/${data.issued.orderId}`, shows: data.issued.name }],
      ['/renewal-configurations', { path: '/renewal-configurations', shows: renewalName }],
      ['/renewal-configurations/new', { path: '/renewal-configurations/new', shows: 'http-01' }],
      ['/renewal-configurations/:id', { path: `/renewal-configurations/${renewalId}`, shows: renewalName }],
      ['/accounts', { path: '/accounts', shows: 'pebble' }],
      ['/accounts/new', { path: '/accounts/new', shows: 'Contact' }],
      ['/accounts/:id', { path: `/accounts/${data.accountId}`, shows: data.accountId }],
      ['/acme-servers', { path: '/acme-servers', shows: '/dir' }],
      ['/queues', { path: '/queues', shows: 'Domain queue' }],
      ['/sites', { path: '/sites', shows: siteId }],
      ['/sites/:id', { path: `/sites/${siteId}`, shows: siteHost }],
      ['/ca-certificates/upload', { path: '/ca-certificates/upload', shows: 'PEM' }],
      ['/ca-certificates', { path: '/ca-certificates', shows: 'Dashboard Test CA' }],
      ['/ca-certificates/:id', { path: `/ca-certificates/${ca.id}`, shows: 'Dashboard Test CA' }],
      ['/ca-chains', { path: '/ca-chains', shows: 'Pebble Intermediate' }],
      ['/ca-chains/:id', { path: `/ca-chains/${chain.ca_chain_id}`, shows: data.issued.name }],
      ['/chain-preference', { path: '/chain-preference', shows: 'Add a CA certificate' }],
    ]);
    getRoutes = listRoutes(createAdminApp(data.stack.deps))
      .filter((r) => r.method === 'GET' && (r.path === DASHBOARD || r.path.startsWith(`${DASHBOARD}/`)))
      .map((r) => r.path.slice(DASHBOARD.length))
      .filter((p) => p !== '/login' && !p.startsWith('/assets/'));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  it('has a sample for every page the router serves', () => {
    expect(getRoutes.length).toBeGreaterThanOrEqual(25);
    expect(getRoutes.filter((p) => !samples.has(p))).toEqual([]);
  });

  it('answers every page with its h1 and content inside <main>, and Lynx renders them', async () => {
    const problems: string[] = [];
    const sizes: number[] = [];
    const millis: number[] = [];
    for (const route of getRoutes) {
      const { path, shows } = samples.get(route)!;
      const url = `${data.origin}${DASHBOARD}${path}`;
      const started = performance.now();
      const res = await fetch(url);
      const markup = await res.text();
      millis.push(performance.now() - started);
      sizes.push(markup.length);
      if (res.status !== 200) {
        problems.push(`${path}: ${res.status}`);
        continue;
      }
      const main = /<main id="main">([\s\S]*)<\/main>/.exec(markup)?.[1];
      const h1 = main && /<h1>([\s\S]*?)<\/h1>/.exec(main)?.[1];
      if (!main || !h1) {
        problems.push(`${path}: no main landmark or no h1 in it`);
        continue;
      }
      if ((markup.match(/<h1[ >]/g) ?? []).length !== 1) problems.push(`${path}: not exactly one h1`);
      if (!textOf(main).includes(shows)) problems.push(`${path}: main does not show "${shows}"`);
      if (/PRIVATE KEY/.test(markup)) problems.push(`${path}: key material in the page`);
      // Every control has a label (or is hidden or a button).
      const ids = new Set([...markup.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
      for (const control of markup.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
        const attributes = control[2]!;
        if (/type="(hidden|submit)"/.test(attributes)) continue;
        const id = /id="([^"]+)"/.exec(attributes)?.[1];
        if (!id || !ids.has(id)) problems.push(`${path}: a ${control[1]} without a label (${attributes.slice(0, 60)})`);
      }
      const lynx = await run('lynx', ['-dump', '-nolist', '-width=200', '-display_charset=utf-8', url], { maxBuffer: 8 * 1024 * 1024 });
      const seen = lynx.stdout.replace(/\s+/g, ' ');
      const heading = textOf(h1).trim();
      if (!seen.includes(heading)) problems.push(`${path}: Lynx does not show the h1 "${heading}"`);
      if (!seen.includes(shows)) problems.push(`${path}: Lynx does not show "${shows}"`);
      for (const section of ['Domains', 'Certificates', 'ACME orders']) if (!seen.includes(section)) problems.push(`${path}: Lynx shows no "${section}" link`);
    }
    const sorted = [...millis].sort((x, y) => x - y);
    console.log(`dashboard as text: ${getRoutes.length} pages, HTML ${Math.min(...sizes)}–${Math.max(...sizes)} bytes, served in p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms / max ${sorted.at(-1)!.toFixed(1)} ms (PGlite, first load), each rendered by Lynx`);
    expect(problems).toEqual([]);
  }, 180_000);

  it('has no serious accessibility violation on any page (axe-core in Chromium: labels, headings, contrast, landmarks)', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    const found: string[] = [];
    let minor = 0;
    for (const route of getRoutes) {
      const { path } = samples.get(route)!;
      await page.goto(`${DASHBOARD}${path}`);
      await page.addScriptTag({ content: axe.source });
      // Runs in the page: its globals, not Node's.
      const violations = await page.evaluate(async () => {
        const page = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
        const results = await page.axe.run(page.document, { resultTypes: ['violations'] });
        return results.violations.map((v) => ({ impact: v.impact, text: `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}` }));
      });
      minor += violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').length;
      for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') found.push(`${path}: ${v.text}`);
    }
    console.log(`axe-core: ${getRoutes.length} pages, ${found.length} serious or critical violations, ${minor} moderate or minor`);
    expect(found).toEqual([]);
    expect(scriptErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
