import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { uniqueName } from '../acme/orders-support.js';
import { PEBBLE_BLOCKED_DOMAIN } from '../support/pebble.js';
import { DASHBOARD, type DashboardData, fetchPage, startDashboardData } from './dashboard-support.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('dashboard: ACME orders', () => {
  let data: DashboardData;
  let browser: Browser;
  /** Orders this file made, by name: the list tests sort and search them. */
  const made: { orderId: string; name: string }[] = [];

  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  /** Plain fetch, no script: what a text browser gets. */
  const plainPage = (path: string) => fetchPage(data.origin, path);
  const timelineCount = (page: Page) => page.locator('ol.timeline > li').count();
  const statusWord = (page: Page) => page.locator('dl.facts dt:text-is("Status") + dd .badge').first().textContent();

  it('creates an order step by step from the form and runs it from its page up to the certificate', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    const name = uniqueName('dash-order');
    await page.goto(`${DASHBOARD}/orders/new`);
    expect(await page.locator('h1').textContent()).toBe('New ACME order');
    await page.getByLabel('Names proved by dns-01').fill(name);
    await page.getByLabel('Processing').selectOption('step');
    await page.getByRole('button', { name: 'Create order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?done=created$/);
    const orderId = UUID.exec(page.url())![0];
    made.push({ orderId, name });
    expect(await page.locator('h1').textContent()).toBe(`Order for ${name}`);
    expect(await page.getByRole('status').textContent()).toContain('Order created');
    // Step mode sends newOrder at once (as the API does): the order is pending at the CA.
    expect(await statusWord(page)).toBe('pending');

    const statuses = ['pending'];
    const steps: string[] = [];
    const nextFact = () => page.locator('dl.facts dt:text-is("Next step") + dd').textContent();
    for (let i = 0; i < 12 && (await page.getByRole('button', { name: /^Next step/ }).count()) > 0; i++) {
      const before = { events: await timelineCount(page), status: await statusWord(page), next: await nextFact() };
      const label = (await page.getByRole('button', { name: /^Next step/ }).textContent())!;
      steps.push(label.replace('Next step: ', ''));
      await page.getByRole('button', { name: /^Next step/ }).click();
      await page.waitForURL(/\?done=step$/);
      expect(await timelineCount(page)).toBeGreaterThan(before.events);
      const status = (await statusWord(page))!;
      // Every step moves the order on: its status, or at least what comes next.
      expect([status, await nextFact()]).not.toEqual([before.status, before.next]);
      if (status !== statuses.at(-1)) statuses.push(status);
      if (steps.length === 2) await screenshot(page, 'orders-midway');
    }
    // How many syncs the CA needs between answering and finalizing depends on its timing; the rest is fixed.
    expect(steps.slice(0, 2)).toEqual(['fetch authorizations', 'answer a challenge']);
    expect(steps.slice(-2)).toEqual(['finalize (send the CSR)', 'download the certificate']);
    expect(new Set(steps.slice(2, -2))).toEqual(new Set(steps.length > 4 ? ['sync the order'] : []));
    expect(statuses).toEqual(['pending', 'ready', 'valid']);

    const row = await data.stack.handle.db.selectFrom('acme_orders').select(['status', 'certificate_id']).where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'valid', certificate_id: expect.stringMatching(UUID) });
    const timeline = (await page.locator('ol.timeline').textContent())!;
    for (const type of ['AcmeOrderCreated', 'AcmeExchangeRecorded', 'AcmeDnsRecordSet', 'AcmeChallengeTriggered', 'AcmeOrderFinalized', 'AcmeCertificateDownloaded']) expect(timeline).toContain(type);
    expect(timeline).toMatch(/POST https?:\/\/\S+ → 201/);
    // The timeline is the order's whole stream, as the API's /events answers it.
    const events = await (await fetch(`${data.origin}/api/v1/acme-orders/${orderId}/events`)).json() as { total: number };
    expect(await timelineCount(page)).toBe(events.total);
    expect(await page.getByText('Nothing is left to run: the certificate is issued.').count()).toBe(1);
    expect(await page.getByRole('button', { name: /Mark invalid|Retry|Deactivate/ }).count()).toBe(0);
    await screenshot(page, 'orders-done');

    const plain = await plainPage(`/orders/${orderId}`);
    expect(plain.status).toBe(200);
    expect(plain.text).toContain(`Timeline (${events.total} events)`);
    expect(plain.text).toContain(`${DASHBOARD}/certificates/${row.certificate_id}`);
    expect(plain.text).not.toContain('PRIVATE KEY');

    await page.getByRole('link', { name: `Certificate ${row.certificate_id}` }).click();
    await page.waitForURL(`**${DASHBOARD}/certificates/${row.certificate_id}`);
    expect(scriptErrors).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows the API\'s errors next to the fields: no names, a wildcard by http-01, an unknown account', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/orders/new`);
    const first = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create order' }).click();
    expect((await first).status()).toBe(400);
    expect(await page.locator('#f-domain_names_dns01-error').textContent()).toContain('name at least one domain');

    const name = uniqueName('dash-bad');
    await page.getByLabel('Names proved by dns-01').fill(name);
    await page.getByLabel('Names proved by http-01').fill(`*.${name}`);
    await page.getByRole('button', { name: 'Create order' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#f-domain_names_http01-error').textContent()).toContain('wildcards take dns-01');
    expect(await page.locator('#f-domain_names_dns01-error').count()).toBe(0);
    expect(await page.getByLabel('Names proved by http-01').inputValue()).toBe(`*.${name}`);
    expect(await page.getByLabel('Names proved by dns-01').inputValue()).toBe(name);
    expect(await page.locator('#f-domain_names_http01').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'orders-new-errors');
    expect(scriptErrors).toEqual([]);

    // Without a browser: the form's CSRF pair, and an account that does not exist.
    const form = await fetch(`${data.origin}${DASHBOARD}/orders/new`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const refused = await fetch(`${data.origin}${DASHBOARD}/orders/new`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, account_id: '00000000-0000-4000-8000-000000000000', domain_names_dns01: name, process: 'step' }),
    });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toMatch(/id="f-account_id-error">no such ACME account/);
    await context.close();
  });

  it('shows a step the CA refused on the order page (a notice, the failure and its problem), not as a form error', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/orders/new`);
    await page.getByLabel('Names proved by dns-01').fill(`www.${PEBBLE_BLOCKED_DOMAIN}`);
    await page.getByRole('button', { name: 'Create order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?done=failed$/);
    expect(await page.getByRole('alert').textContent()).toContain('The CA refused a step');
    const facts = (await page.locator('dl.facts').textContent())!;
    expect(facts).toContain('urn:ietf:params:acme:error:rejectedIdentifier');
    expect(facts).toMatch(/step submit/);
    const failed = page.locator('ol.timeline > li[data-type="AcmeOrderStepFailed"]');
    expect(await failed.textContent()).toContain('rejectedIdentifier');
    expect(await page.locator('ol.timeline > li.failed[data-type="AcmeExchangeRecorded"]').textContent()).toMatch(/→ 400/);
    // Never accepted by the CA: it can be submitted again or retried as a new order.
    expect(await page.getByRole('button', { name: 'Next step: submit the order' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Retry as a new order' }).count()).toBe(1);
    await screenshot(page, 'orders-refused');
    expect(scriptErrors).toEqual([]);
    await context.close();
  });

  it('refuses to mark an order invalid without a reason, marks it with one, and retries it', async () => {
    const name = uniqueName('dash-mark');
    const created = await createAcmeOrder(data.stack.orderDeps, { accountId: data.accountId, identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], processing: 'step' }, { actor: 'test' });
    await data.stack.deps.projections.waitFor(await data.stack.deps.store.headPosition(), { timeoutMs: 30_000 });
    made.push({ orderId: created.orderId, name });
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/orders/${created.orderId}`);
    expect(await page.getByRole('button', { name: 'Next step: fetch authorizations' }).count()).toBe(1);
    // Blanks pass the browser's `required` but not the API's schema (it trims).
    await page.getByLabel('Reason to give the order up').fill('   ');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Mark invalid' }).click();
    expect((await refused).status()).toBe(400);
    expect(await page.locator('#f-reason-error').textContent()).toBe('reason is required');
    expect(await statusWord(page)).toBe('pending');

    await page.getByLabel('Reason to give the order up').fill('given up from the dashboard test');
    await page.getByRole('button', { name: 'Mark invalid' }).click();
    await page.waitForURL(/\?done=marked$/);
    expect(await page.locator('dl.facts').textContent()).toContain('Reason: given up from the dashboard test');
    expect(await statusWord(page)).toBe('invalid');
    expect(await page.locator('ol.timeline').textContent()).toContain('Marked invalid by dashboard: given up from the dashboard test');
    expect(await page.getByRole('button', { name: /^Next step/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Retry as a new order' }).click();
    await page.waitForURL(/\?done=retried$/);
    const retryId = UUID.exec(page.url())![0];
    expect(retryId).not.toBe(created.orderId);
    expect(await page.getByRole('link', { name: `order ${created.orderId}` }).count()).toBeGreaterThan(0);
    made.push({ orderId: retryId, name });
    expect(scriptErrors).toEqual([]);
    await context.close();
  });

  it('lists orders: search by name, filter by status, sort by links, and serves the list without script', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/orders`);
    expect(await page.locator('h1').textContent()).toBe('ACME orders');
    const table = page.getByRole('table', { name: 'ACME orders' });
    for (const name of [data.issued.name, ...made.map((m) => m.name)]) expect(await table.textContent()).toContain(name);
    await screenshot(page, 'orders-list');

    await page.getByRole('link', { name: 'Names' }).click();
    await page.waitForURL(/sort=names&dir=asc/);
    const names = await page.locator('tbody tr td:first-child').allTextContents();
    expect(names).toEqual([...names].sort());
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Names');
    await page.getByRole('link', { name: /^Names/ }).click();
    await page.waitForURL(/sort=names&dir=desc/);
    expect(await page.locator('tbody tr td:first-child').allTextContents()).toEqual([...names].reverse());

    await page.getByLabel('Name contains').fill('dash-mark');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=dash-mark/);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Status').selectOption('valid');
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.getByText('No order matches this search.').count()).toBe(1);
    expect(scriptErrors).toEqual([]);
    await context.close();

    const plain = await plainPage(`/orders?q=${encodeURIComponent(data.issued.name.toUpperCase())}`);
    expect(plain.status).toBe(200);
    expect(plain.text).toContain(`${DASHBOARD}/orders/${data.issued.orderId}`);
    expect(plain.text).toContain(`${DASHBOARD}/certificates/${data.issued.certificateId}`);
    expect(plain.text).not.toContain(made[0]!.name);
    const bad = await plainPage('/orders?sort=secret&status=lost');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('sort');
  });
});
