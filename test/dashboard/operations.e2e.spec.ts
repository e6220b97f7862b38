/**
 * The operations pages (renewal configurations, ACME accounts and servers, queues, sites) in
 * Chromium and without JavaScript, over real data: PGlite, the run's Pebble (dns-01 through
 * challtestsrv). Forms are sent wrong first (the API's error next to the field), then right.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/app.js';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { uniqueName } from '../acme/orders-support.js';
import { DASHBOARD, type DashboardData, fetchPage, startDashboardData } from './dashboard-support.js';

let data: DashboardData;
let browser: Browser;
let site: { id: string; name: string; certificateId: string };

beforeAll(async () => {
  [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
  // A site deployed through the API (dns-01, so Pebble can validate it here).
  const id = `shop-${Date.now().toString(36)}`;
  const name = uniqueName('site');
  const res = await fetch(`${data.origin}/api/v1/sites/${id}/deploy`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ host_names: [name], tls: 'acme', acme_account_id: data.accountId, challenge_type: 'dns-01' }),
  });
  const body = await json(res);
  if (res.status !== 200 || !body.site?.current?.certificate_id) throw new Error(`site deploy: ${res.status} ${JSON.stringify(body)}`);
  site = { id, name, certificateId: body.site.current.certificate_id };
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await data?.close();
});

/** The page without JavaScript: what a text browser gets. */
const plain = async (path: string) => {
  const { status, text } = await fetchPage(data.origin, path);
  expect(status).toBe(200);
  return text;
};

/** Opens `path` in a fresh context; confirmations are accepted. */
async function open(path: string): Promise<{ page: Page; scriptErrors: string[]; close: () => Promise<void> }> {
  const { context, page, scriptErrors } = await newContext(browser, data.origin);
  page.on('dialog', (dialog) => void dialog.accept());
  const res = await page.goto(`${DASHBOARD}${path}`);
  expect(res!.status()).toBe(200);
  return { page, scriptErrors, close: () => context.close() };
}

const h1 = (page: Page) => page.locator('h1').textContent();
const main = (page: Page) => page.locator('main').innerText();

describe('dashboard: accounts and servers', () => {
  it('lists the seeded account and shows it with the order it issued and its exchanges with Pebble', async () => {
    const { page, scriptErrors, close } = await open('/accounts');
    expect(await h1(page)).toBe('ACME accounts');
    const row = page.locator('tr', { has: page.locator(`a[href$="/accounts/${data.accountId}"]`) });
    expect(await row.innerText()).toMatch(/valid[\s\S]*EC_P256/);
    await screenshot(page, 'accounts-list');
    await row.locator('a').first().click();
    await page.waitForURL(`**/accounts/${data.accountId}`);
    expect(await h1(page)).toBe(`ACME account ${data.accountId.slice(0, 8)}`);
    const text = await main(page);
    expect(text).toContain(data.issued.orderId);
    expect(text).toContain(data.issued.name);
    expect(text).toMatch(/newAccount[\s\S]*POST/);
    expect(text).not.toMatch(/PRIVATE KEY/);
    await screenshot(page, 'accounts-detail');
    expect(scriptErrors).toEqual([]);
    await close();

    expect(await plain('/accounts')).toContain(`/accounts/${data.accountId}`);
    expect(await plain(`/accounts/${data.accountId}`)).toContain(data.issued.orderId);
  });

  it('creates an account from the form: an invalid contact is refused next to the field', async () => {
    const { page, scriptErrors, close } = await open('/accounts/new');
    expect(await h1(page)).toBe('New ACME account');
    await page.getByLabel('Contact email addresses').fill('not-an-address');
    await page.getByRole('button', { name: 'Create and register the account' }).click();
    await expect.poll(() => page.locator('#f-contact-error').textContent()).toContain('"not-an-address" is not an email address');
    expect(await page.getByLabel('Contact email addresses').inputValue()).toBe('not-an-address');
    await screenshot(page, 'accounts-new-refused');
    await page.getByLabel('Contact email addresses').fill('ops@example.test');
    await page.getByRole('button', { name: 'Create and register the account' }).click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}\?done=created$/);
    expect(await page.locator('.notice').textContent()).toContain('ACME account created');
    expect(await main(page)).toMatch(/Status\s+valid[\s\S]*ops@example\.test/);
    const id = /accounts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(scriptErrors).toEqual([]);
    await close();
    // The list searches contacts.
    const found = await plain('/accounts?q=ops%40example.test');
    expect(found).toContain(`/accounts/${id}`);
    expect(found).not.toContain(`/accounts/${data.accountId}`);
  });

  it('shows Pebble as the default server with its accounts, and refreshes its directory', async () => {
    const { page, scriptErrors, close } = await open('/acme-servers');
    expect(await h1(page)).toBe('ACME servers');
    const row = page.locator('tbody tr', { hasText: data.stack.pebble.directoryUrl });
    expect(await row.innerText()).toMatch(/default/);
    // The seeded account and the one the form test may have made: at least one.
    expect(Number(await row.locator('td.num a').textContent())).toBeGreaterThanOrEqual(1);
    expect(await row.getByRole('button', { name: 'Make default' }).count()).toBe(0);
    await screenshot(page, 'acme-servers-list');
    await row.getByRole('button', { name: 'Refresh directory' }).click();
    await page.waitForURL(/done=refreshed/);
    expect(await page.locator('.notice').textContent()).toContain('Directory fetched again');
    expect(scriptErrors).toEqual([]);
    await close();
    expect(await plain('/acme-servers')).toContain(data.stack.pebble.directoryUrl);
  });
});

describe('dashboard: renewal configurations and queues', () => {
  it('creates a configuration (no names: refused at the field), orders now, and lists it', async () => {
    const name = uniqueName('renewal');
    const { page, scriptErrors, close } = await open('/renewal-configurations/new');
    expect(await h1(page)).toBe('New renewal configuration');
    await page.locator('#f-primary\\.account_id').selectOption(data.accountId);
    await page.getByRole('button', { name: 'Create renewal configuration' }).click();
    await expect.poll(() => page.locator('#f-domain_names_http01-error').textContent()).toContain('name at least one domain');
    await screenshot(page, 'renewal-new-refused');
    await page.getByLabel('Names proven by dns-01').fill(name);
    await page.getByRole('button', { name: 'Create renewal configuration' }).click();
    await page.waitForURL(/\/renewal-configurations\/[0-9a-f-]{36}\?done=created$/);
    const id = /renewal-configurations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(await h1(page)).toBe(`Renewal of ${name}`);
    expect(await main(page)).toContain('No order yet');

    await page.getByRole('button', { name: 'New order now' }).click();
    await page.waitForURL(/done=ordered$/, { timeout: 30_000 });
    const orders = page.locator('table', { has: page.locator('caption', { hasText: 'ACME orders of this configuration' }) });
    expect(await orders.innerText()).toMatch(new RegExp(`valid\\s+${name.replaceAll('.', '\\.')}`));
    const text = await main(page);
    expect(text).toMatch(/Last renewal\s+success/);
    expect(text).toContain('RenewalAttemptSucceeded');
    await screenshot(page, 'renewal-detail');

    await page.goto(`${DASHBOARD}/renewal-configurations?q=${encodeURIComponent(name)}`);
    expect(await h1(page)).toBe('Renewal configurations');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').innerText()).toMatch(/active[\s\S]*success/);
    await screenshot(page, 'renewal-list');
    expect(scriptErrors).toEqual([]);
    await close();

    expect(await plain(`/renewal-configurations?q=${encodeURIComponent(name)}`)).toContain(`/renewal-configurations/${id}`);
    expect(await plain(`/renewal-configurations/${id}`)).toContain('RenewalAttemptSucceeded');
    const refused = await fetch(`${data.origin}${DASHBOARD}/renewal-configurations?sort=bogus`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('one of created_at, names, renew_at, last_attempt_at');
  }, 45_000);

  it('shows what is due and why, queues and renews it, and adds names to the domain queue (a bad name refused at the field)', async () => {
    // Due at once: a configuration without a certificate.
    const dueName = uniqueName('due');
    const created = await fetch(`${data.origin}/api/v1/renewal-configurations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ domain_names_dns01: [dueName], primary: { account_id: data.accountId } }),
    });
    expect(created.status).toBe(201);
    const queuedName = uniqueName('queued');
    const { page, scriptErrors, close } = await open('/queues');
    expect(await h1(page)).toBe('Queues');
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['Renewal queue', 'Domain queue']));
    const due = page.locator('table', { has: page.locator('caption', { hasText: 'Due now' }) });
    expect(await due.locator('tr', { hasText: dueName }).innerText()).toContain('no certificate yet');
    expect(await plain('/queues')).toContain(dueName);

    const items = page.locator('table', { has: page.locator('caption', { hasText: 'Queue items' }) });
    await page.getByRole('button', { name: 'Queue what is due' }).click();
    await page.waitForURL(/done=renewals-queued$/);
    expect(await page.locator('.notice').textContent()).toContain('Every due configuration is in the queue');
    expect(await items.locator('tbody tr').first().innerText()).toContain('queued');
    await page.getByRole('button', { name: 'Process the next queued renewal' }).click();
    await page.waitForURL(/done=renewal-processed$/, { timeout: 30_000 });
    expect(await items.locator('tbody tr').first().innerText()).toMatch(/processed/);
    expect(await page.locator('table', { has: page.locator('caption', { hasText: 'Due now' }) }).count()).toBe(0);

    await page.getByLabel('Domain names').fill('not a name!');
    await page.getByRole('button', { name: 'Add to the domain queue' }).click();
    await expect.poll(() => page.locator('#f-domain_names-error').textContent()).toContain('not valid');
    await page.getByLabel('Domain names').fill(queuedName);
    await page.getByRole('button', { name: 'Add to the domain queue' }).click();
    await page.waitForURL(/done=domains-queued$/);
    const queued = page.locator('table', { has: page.locator('caption', { hasText: 'Queued names' }) });
    expect(await queued.innerText()).toContain(queuedName);
    await screenshot(page, 'queues');
    expect(scriptErrors).toEqual([]);
    await close();
    expect(await plain('/queues')).toContain(queuedName);
  }, 45_000);
});

describe('dashboard: sites', () => {
  it('lists and shows the site deployed through the API, backs it up as a file, restores it as another and deploys a new one', async () => {
    const { page, scriptErrors, close } = await open('/sites');
    expect(await h1(page)).toBe('Sites');
    const row = page.locator('tbody tr', { hasText: site.id });
    expect(await row.innerText()).toMatch(new RegExp(`deployed\\s+${site.name.replaceAll('.', '\\.')}`));
    await screenshot(page, 'sites-list');
    await row.getByRole('link', { name: site.id }).click();
    await page.waitForURL(`**/sites/${site.id}`);
    expect(await h1(page)).toBe(`Site ${site.id}`);
    const text = await main(page);
    expect(text).toMatch(/Serves\s+acme/);
    expect(text).toContain(site.certificateId);
    expect(text).toContain('SiteDeployed');
    await screenshot(page, 'sites-detail');

    await page.getByLabel('Host names').fill('');
    await page.locator('#f-host_names').evaluate((el) => el.removeAttribute('required'));
    await page.getByRole('button', { name: 'Redeploy' }).click();
    await expect.poll(() => page.locator('#f-host_names-error').textContent()).toContain('needs at least one host name');

    // The backup holds the key: a file to save, never part of a page.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Download backup/ }).click();
    const backup = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
    expect(backup).toMatchObject({ site_id: site.id, host_names: [site.name], certificate: { certificate_id: site.certificateId } });
    expect(backup.certificate.key_pem).toContain('PRIVATE KEY');
    expect(await page.content()).not.toContain('PRIVATE KEY');

    // Restore it as another site from the list page: garbage first, then the backup.
    await page.goto(`${DASHBOARD}/sites`);
    await page.getByLabel('Site backup (JSON)').fill('{not json');
    await page.getByRole('button', { name: 'Restore the site' }).click();
    await expect.poll(() => page.locator('#f-backup-error').textContent()).toContain('is not JSON');
    const copy = `${site.id}-copy`;
    await page.getByLabel('Site backup (JSON)').fill(JSON.stringify({ ...backup, site_id: copy }));
    await page.getByRole('button', { name: 'Restore the site' }).click();
    await page.waitForURL(`**/sites/${copy}?done=restored`);
    expect(await main(page)).toMatch(new RegExp(`Serves\\s+acme: ${site.certificateId}`));

    // A new site without TLS from the list page's deploy form: a bad id is refused at its field.
    await page.goto(`${DASHBOARD}/sites`);
    await page.getByLabel('Site id').fill('-bad id');
    await page.getByLabel('Host names').fill(uniqueName('plain'));
    await page.getByLabel('TLS').selectOption('none');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect.poll(() => page.locator('#f-site_id-error').textContent()).toContain('must be a site id');
    expect(await page.getByLabel('TLS').inputValue()).toBe('none');
    await page.getByLabel('Site id').fill(`${site.id}-plain`);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL(`**/sites/${site.id}-plain?done=deployed`);
    expect(await main(page)).toMatch(/Wants\s+no TLS/);
    expect(scriptErrors).toEqual([]);
    await close();

    expect(await plain('/sites')).toContain(`/sites/${site.id}`);
    expect(await plain(`/sites/${site.id}`)).toContain(site.certificateId);
  }, 45_000);
});
