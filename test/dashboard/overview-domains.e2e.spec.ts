/**
 * The overview and the domain pages over real data: certificates imported (one expiring in three
 * days, one naming 30 domains for the pages), an order Pebble refuses (an ACME problem), and a
 * domain deactivated from its page in Chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json } from '../support/app.js';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { PEBBLE_BLOCKED_DOMAIN } from '../support/pebble.js';
import { issueLeaf } from '../support/pki.js';
import { DASHBOARD, type DashboardData, fetchPage, PREFIX, startDashboardData } from './dashboard-support.js';

const DAY_MS = 86_400_000;

describe('dashboard overview and domains', () => {
  let data: DashboardData;
  let browser: Browser;
  const stamp = Date.now().toString(36);
  const soonName = `soon-${stamp}.example.test`;
  const bulkNames = Array.from({ length: 30 }, (_, i) => `bulk-${String(i).padStart(2, '0')}-${stamp}.example.test`);
  const blockedName = `refused-${stamp}.${PEBBLE_BLOCKED_DOMAIN}`;
  let soonCertificateId: string;
  let refusedOrderId: string;

  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${data.origin}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await json(res) };
  };
  const importLeaf = async (names: string[], notAfter?: Date) => {
    const leaf = await issueLeaf(data.ca, { names, keyAlgorithm: 'EC', ...(notAfter ? { notBefore: new Date(Date.now() - DAY_MS), notAfter } : {}) });
    const res = await fetch(`${data.origin}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: data.ca.certPem }),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.certificate.id as string;
  };
  const text = async (path: string) => {
    const { status, text: body } = await fetchPage(data.origin, path);
    return { status, body };
  };
  const domainId = async (name: string) =>
    (await data.stack.deps.db.selectFrom('domains').select('id').where('domain_name', '=', name).executeTakeFirstOrThrow()).id;
  const rowNames = (page: Page) => page.locator('table tbody tr td:first-child a').allTextContents();

  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
    soonCertificateId = await importLeaf([soonName], new Date(Date.now() + 3 * DAY_MS));
    await importLeaf(bulkNames);
    // Pebble refuses the name at newOrder: the order records the ACME problem (rejectedIdentifier).
    const refused = await api('/acme-orders', { account_id: data.accountId, domain_names_dns01: [blockedName], process: 'all' });
    refusedOrderId = refused.body.order?.id ?? refused.body.id;
    expect(refusedOrderId, JSON.stringify(refused.body)).toBeTruthy();
    await data.stack.deps.projections.waitFor(await data.stack.deps.store.headPosition(), { timeoutMs: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  it('overview: expiry cards and chart from the catalog, the refused order as an ACME problem, projection lag', async () => {
    const db = data.stack.deps.db;
    const active = Number((await db.selectFrom('certificates').select((eb) => eb.fn.countAll<string>().as('n')).where('is_active', '=', true).executeTakeFirstOrThrow()).n);
    expect(active).toBeGreaterThanOrEqual(6);
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    expect((await page.goto(`${DASHBOARD}/`))!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Overview');
    const week = page.locator('.card', { hasText: 'expiring within 7 days' });
    expect(await week.locator('.value').textContent()).toBe('1');
    expect(await week.locator('a').getAttribute('href')).toBe(`${DASHBOARD}/certificates?expiring_within_days=7`);
    expect(await page.locator('figcaption').textContent()).toContain(`(${active} in all)`);
    const soonBar = page.locator('.expiry-chart li', { hasText: '0–7 days' });
    expect(await soonBar.locator('.chart-count').textContent()).toBe('1');
    expect(await page.locator('.expiry-chart li', { hasText: 'expired' }).locator('.chart-count').textContent()).toBe('0');
    const problem = page.locator('#h-problems + div table tbody tr', { hasText: blockedName });
    expect(await problem.count()).toBe(1);
    expect(await problem.locator('a').getAttribute('href')).toBe(`${DASHBOARD}/orders/${refusedOrderId}`);
    expect(await problem.textContent()).toContain(PEBBLE_BLOCKED_DOMAIN);
    const head = (await data.stack.deps.store.headPosition()).toString();
    expect(await page.locator('#h-lag + p').textContent()).toContain(`position ${head}`);
    expect(await page.locator('#h-lag ~ div table tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'overview-index');
    expect(scriptErrors).toEqual([]);
    await context.close();

    // Without script: the same words are in the HTML.
    const plain = await text('/');
    expect(plain.status).toBe(200);
    expect(plain.body).toContain(blockedName);
    expect(plain.body).toContain(`certificates?expiring_within_days=30`);
    expect(plain.body).toContain(`(${active} in all)`);
  });

  it('domains list: search, sort by name, expiry and creation, pages, and a refused parameter', async () => {
    const [www, shop] = data.imported[0]!.names as [string, string];
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/domains`);
    expect(await page.locator('h1').textContent()).toBe('Domains');
    await page.getByLabel('Name contains').fill(shop.replace('.example.test', ''));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=shop-/);
    expect(await rowNames(page)).toEqual([shop, www]);
    await page.getByRole('link', { name: /^Name/ }).click();
    await page.waitForURL(/dir=desc/);
    expect(await rowNames(page)).toEqual([www, shop]);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Name');

    await page.goto(`${DASHBOARD}/domains?sort=expiry&dir=asc`);
    expect((await rowNames(page))[0]).toBe(soonName);
    expect(await page.locator('table tbody tr').first().locator(`a[href="${DASHBOARD}/certificates/${soonCertificateId}"]`).count()).toBe(1);
    const newest = await data.stack.deps.db.selectFrom('domains').select('domain_name').orderBy('created_at', 'desc').orderBy('domain_name').executeTakeFirstOrThrow();
    await page.goto(`${DASHBOARD}/domains?sort=created&dir=desc`);
    expect((await rowNames(page))[0]).toBe(newest.domain_name);
    await page.goto(`${DASHBOARD}/domains?sort=created&dir=asc`);
    expect((await rowNames(page))[0]).not.toBe(newest.domain_name);

    await page.goto(`${DASHBOARD}/domains?q=bulk-&per_page=25`);
    expect(await rowNames(page)).toEqual(bulkNames.slice(0, 25));
    expect(await page.locator('.pager p').textContent()).toContain('1–25 of 30');
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    expect(await rowNames(page)).toEqual(bulkNames.slice(25));
    await screenshot(page, 'domains-list');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const [api] = data.imported[1]!.names as [string];
    const plain = await text(`/domains?q=${api}`);
    expect(plain.body).toContain(api);
    expect(plain.body).not.toContain(data.imported[2]!.names[0]!);
    const refused = await text('/domains?active=maybe');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('active');
  });

  it('domain page: served certificates, every certificate naming it, its history', async () => {
    const name = data.imported[0]!.names[0]!;
    const certificateId = data.imported[0]!.certificateId;
    const id = await domainId(name);
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    expect((await page.goto(`${DASHBOARD}/domains/${id}`))!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe(name);
    const served = page.locator('table', { has: page.locator('caption', { hasText: 'Certificates this domain serves' }) });
    expect(await served.textContent()).toContain(certificateId);
    expect(await served.textContent()).toContain('latest multi-name');
    const naming = page.locator('table', { has: page.locator('caption', { hasText: 'Every certificate naming this domain' }) });
    expect(await naming.locator(`a[href="${DASHBOARD}/certificates/${certificateId}"]`).count()).toBe(1);
    expect(await page.locator('.timeline li').count()).toBeGreaterThan(0);
    expect(await page.locator('.timeline').textContent()).toContain('CertificateImported');
    await screenshot(page, 'domains-detail');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const plain = await text(`/domains/${name}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toContain(certificateId);
    expect((await text('/domains/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('deactivates a domain from its page: a blank reason is refused next to the field, then a reason is accepted', async () => {
    const name = data.imported[2]!.names[0]!;
    const id = await domainId(name);
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/domains/${id}`);
    // Spaces pass the browser's `required` but not the API's schema (it trims).
    await page.getByLabel('Reason').fill('   ');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Deactivate domain' }).click();
    expect((await refused).status()).toBe(400);
    expect(await page.locator('#f-reason-error').textContent()).toBe('reason is required');
    await screenshot(page, 'domains-deactivate-refused');
    await page.getByLabel('Reason').fill('moved to another provider');
    await page.getByRole('button', { name: 'Deactivate domain' }).click();
    await page.waitForURL(/done=deactivated/);
    expect(await page.locator('.notice').textContent()).toBe('Domain deactivated.');
    expect(await page.locator('.facts').textContent()).toContain('inactive');
    expect(await page.getByRole('button', { name: 'Activate domain' }).count()).toBe(1);
    expect(await page.locator('.timeline').textContent()).toContain('moved to another provider');

    const isActive = async () => (await data.stack.deps.db.selectFrom('domains').select('is_active').where('id', '=', id).executeTakeFirstOrThrow()).is_active;
    expect(await isActive()).toBe(false);
    const inactive = await text('/domains?active=false');
    expect(inactive.body).toContain(name);
    expect(inactive.body).not.toContain(data.imported[1]!.names[0]!);

    await page.getByLabel('Reason').fill('back with us');
    await page.getByRole('button', { name: 'Activate domain' }).click();
    await page.waitForURL(/done=activated/);
    expect(await page.locator('.notice').textContent()).toBe('Domain activated.');
    expect(await isActive()).toBe(true);
    expect(scriptErrors).toEqual([]);
    await context.close();
  });
});
