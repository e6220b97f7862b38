import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLeaf } from '../support/pki.js';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { DASHBOARD, startDashboardData, upload, type DashboardData } from './dashboard-support.js';

const DAY = 86_400_000;
const pem = (name: string, text: string) => ({ name, mimeType: 'application/x-pem-file', buffer: Buffer.from(text) });

describe('dashboard: certificates', () => {
  let data: DashboardData;
  let browser: Browser;
  let expiringId: string;
  const stamp = Date.now().toString(36);

  /** A native API upload (JSON), for certificates the list needs beside the seed. */
  async function apiUpload(names: string[], dates: { notBefore?: Date; notAfter?: Date } = {}): Promise<string> {
    const leaf = await issueLeaf(data.ca, { names, keyAlgorithm: 'EC', ...dates });
    const res = await fetch(`${data.origin}/api/v1/certificates`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: leaf.certPem, private_key: leaf.keyPem, chain: data.ca.certPem }),
    });
    const body = await res.json() as { certificate: { id: string } };
    expect(res.status).toBe(201);
    return body.certificate.id;
  }

  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
    // Enough for a second page of 25, and one that expires within the overview's 7 days.
    await Promise.all(Array.from({ length: 22 }, (_, i) => upload(data.origin, undefined, data.ca, [`bulk-${String(i).padStart(2, '0')}-${stamp}.example.test`])));
    expiringId = await apiUpload([`soon-${stamp}.example.test`], { notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() + 3 * DAY) });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  const rowNames = (page: Page) => page.locator('table tbody tr td:first-child').allTextContents();

  it('lists certificates with search, sort, filters and pages, by link and without script', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/certificates`);
    expect(await page.locator('h1').textContent()).toBe('Certificates');
    const all = (await rowNames(page)).join('\n');
    for (const c of data.imported) expect(all).toContain([...c.names].sort().join(', '));
    expect(all).toContain(data.issued.name);
    expect(await page.locator('table caption').textContent()).toBe('Certificates');
    await screenshot(page, 'certificates-list');

    // Search by a name fragment.
    const apiName = data.imported[1]!.names[0]!;
    await page.getByLabel('Name contains').fill(apiName.slice(0, 8));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=api-/);
    expect(await rowNames(page)).toEqual([apiName]);

    // Sort by names both ways: the header link toggles the direction.
    await page.goto(`${DASHBOARD}/certificates?q=bulk-&per_page=100`);
    await page.getByRole('link', { name: 'Names' }).click();
    await page.waitForURL(/sort=names&dir=asc/);
    const ascending = await rowNames(page);
    expect(ascending).toHaveLength(22);
    expect(ascending).toEqual([...ascending].sort());
    await page.getByRole('link', { name: /Names/ }).click();
    await page.waitForURL(/sort=names&dir=desc/);
    expect(await rowNames(page)).toEqual([...ascending].reverse());

    // Pages of 25: the second holds the rest, none twice.
    await page.goto(`${DASHBOARD}/certificates?sort=names&dir=asc&per_page=25`);
    const first = await rowNames(page);
    expect(first).toHaveLength(25);
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    const second = await rowNames(page);
    const total = await data.stack.deps.db.selectFrom('certificates').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(second).toHaveLength(Number(total.n) - 25);
    expect(second.filter((n) => first.includes(n))).toEqual([]);

    // The overview's link: the API's filter, as a control too.
    await page.goto(`${DASHBOARD}/certificates?expiring_within_days=7`);
    expect(await rowNames(page)).toEqual([`soon-${stamp}.example.test`]);
    expect(await page.getByLabel('Expiring within (days)').inputValue()).toBe('7');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const plain = await fetch(`${data.origin}${DASHBOARD}/certificates?q=${data.imported[0]!.names[1]}`);
    expect(plain.status).toBe(200);
    const text = await plain.text();
    expect(text).toContain([...data.imported[0]!.names].sort().join(', '));
    expect(text).toContain('1–1 of 1');
    expect(text).not.toContain(apiName);
    // Bad list parameters and bad API filters are refused naming the field, as the API does.
    const bad = await fetch(`${data.origin}${DASHBOARD}/certificates?sort=serial&expired=maybe`);
    expect(bad.status).toBe(400);
    const refusal = await bad.text();
    expect(refusal).toContain('<strong>sort</strong>');
    const api = await fetch(`${data.origin}/api/v1/certificates?expired=maybe`);
    const apiError = (await api.json() as { form_errors: Record<string, string> }).form_errors.expired!;
    expect((await (await fetch(`${data.origin}${DASHBOARD}/certificates?expired=maybe`)).text())).toContain(`<strong>expired</strong>: ${apiError}`);
  });

  it('uploads from the browser, lands on the new page and downloads the same PEM', async () => {
    const leaf = await issueLeaf(data.ca, { names: [`upload-${stamp}.example.test`], keyAlgorithm: 'EC' });
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/certificates`);
    await page.getByRole('link', { name: 'Upload a certificate' }).click();
    expect(await page.locator('h1').textContent()).toBe('Upload a certificate');
    await screenshot(page, 'certificates-upload');
    await page.locator('#f-certificate').setInputFiles(pem('cert.pem', leaf.certPem));
    await page.locator('#f-private_key').setInputFiles(pem('key.pem', leaf.keyPem));
    await page.locator('#f-chain').setInputFiles(pem('chain.pem', data.ca.certPem));
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/certificates\/[0-9a-f-]{36}\?done=uploaded$/);
    expect(await page.locator('h1').textContent()).toBe(`Certificate for upload-${stamp}.example.test`);
    expect(await page.locator('.notice').textContent()).toBe('Certificate uploaded.');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads').getByRole('link', { name: 'cert.pem', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('cert.pem');
    expect(await readFile((await download.path())!, 'utf8')).toBe(leaf.certPem);
    expect(scriptErrors).toEqual([]);
    await context.close();
  });

  it('refuses a bad upload with the API\'s error next to the field and stores nothing', async () => {
    const leaf = await issueLeaf(data.ca, { names: [`bad-${stamp}.example.test`], keyAlgorithm: 'EC' });
    const other = await issueLeaf(data.ca, { names: [`other-${stamp}.example.test`], keyAlgorithm: 'EC' });
    const head = await data.stack.deps.store.headPosition();
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/certificates/upload`);
    await page.locator('#f-certificate').setInputFiles(pem('cert.pem', leaf.certPem));
    await page.locator('#f-private_key').setInputFiles(pem('key.pem', other.keyPem));
    const [mismatch] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Upload' }).click()]);
    expect(mismatch!.status()).toBe(400);
    expect(await page.locator('#f-private_key-error').textContent()).toBe('does not match the certificate');
    expect(await page.locator('#f-private_key').getAttribute('aria-invalid')).toBe('true');

    await page.locator('#f-certificate').setInputFiles(pem('cert.pem', 'not a certificate'));
    await page.locator('#f-private_key').setInputFiles(pem('key.pem', leaf.keyPem));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Upload' }).click()]);
    const apiForm = new FormData();
    apiForm.append('certificate', new Blob(['not a certificate']), 'cert.pem');
    apiForm.append('private_key', new Blob([leaf.keyPem]), 'key.pem');
    const api = await fetch(`${data.origin}/api/v1/certificates`, { method: 'POST', body: apiForm });
    const apiErrors = (await api.json() as { form_errors: Record<string, string> }).form_errors;
    expect(await page.locator('#f-certificate-error').textContent()).toBe(apiErrors.certificate);
    expect(await page.content()).not.toContain('PRIVATE KEY');
    await screenshot(page, 'certificates-upload-refused');
    expect(scriptErrors).toEqual([]);
    await context.close();

    // Without script, and without the certificate the browser would insist on.
    const form = await fetch(`${data.origin}${DASHBOARD}/certificates/upload`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const formHtml = await form.text();
    for (const name of ['certificate', 'private_key', 'chain']) expect(formHtml).toContain(`<input type="file" id="f-${name}" name="${name}"`);
    const action = /action="([^"]+\?_csrf=[^"]+)"/.exec(formHtml)![1]!.replaceAll('&amp;', '&');
    const body = new FormData();
    body.append('private_key', new Blob([leaf.keyPem]), 'key.pem');
    const missing = await fetch(`${data.origin}${action}`, { method: 'POST', headers: { cookie }, body });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/<p class="error" id="f-certificate-error">is required<\/p>/);
    expect(await data.stack.deps.store.headPosition()).toBe(head);
  });

  it('shows the Pebble certificate: names, validity, key, every chain, lineage, order, downloads, history', async () => {
    const id = data.issued.certificateId;
    const db = data.stack.deps.db;
    const chains = await db.selectFrom('certificate_chains').selectAll().where('certificate_id', '=', id).execute();
    expect(chains.length).toBeGreaterThanOrEqual(2);
    const certificate = await db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const domain = await db.selectFrom('domains').select('id').where('domain_name', '=', data.issued.name).executeTakeFirstOrThrow();

    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/certificates/${id}`);
    expect(await page.locator('h1').textContent()).toBe(`Certificate for ${data.issued.name}`);
    expect(await page.locator('ul.names a').getAttribute('href')).toBe(`${DASHBOARD}/domains/${domain.id}`);
    expect(await page.locator('.validity span').getAttribute('style')).toMatch(/^width: \d+(\.\d)?%$/);
    expect(await page.locator('.validity-text').textContent()).toMatch(/\d+ days left/);
    const keyText = await page.locator('#key + dl').textContent();
    expect(keyText).toContain(certificate.private_key_id);
    expect(keyText).toContain(certificate.spki_sha256);
    const chainRows = page.locator('#chains ~ .table-wrap').first().locator('tbody tr');
    expect(await chainRows.count()).toBe(chains.length);
    for (const c of chains) expect(await page.locator(`a[href="${DASHBOARD}/ca-chains/${c.ca_chain_id}"]`).count()).toBe(1);
    expect(await chainRows.locator('.badge', { hasText: /^default$/ }).count()).toBe(1);
    expect(await chainRows.locator('.badge', { hasText: /^selected$/ }).count()).toBe(1);
    expect(await page.locator('#lineage ~ .table-wrap strong', { hasText: 'this certificate' }).count()).toBe(1);
    expect(await page.locator(`a[href="${DASHBOARD}/orders/${data.issued.orderId}"]`).count()).toBe(1);
    const history = await page.locator('ol.timeline').textContent();
    expect(history).toContain('CertificateImported');
    expect(history).toContain('CertificateChainLinked');
    await screenshot(page, 'certificates-certificate');

    // Every download link answers with a file; the page itself holds no key material.
    const hrefs = await page.locator('#downloads ~ dl a, #chains ~ .table-wrap a[href^="/api/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    for (const file of ['cert.pem', 'cert.der', 'cert.crt', 'chain.pem', 'fullchain.pem.txt', 'privkey.key', 'parse.json']) {
      expect(hrefs).toContain(`/api/v1/certificates/${id}/${file}`);
    }
    expect(hrefs.filter((h) => h.includes('/via-chain/') && h.endsWith('/fullchain.pem'))).toHaveLength(chains.length);
    for (const href of hrefs) expect((await context.request.get(href)).status(), href).toBe(200);
    const html = await page.content();
    expect(html).not.toContain('PRIVATE KEY');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const plain = await (await fetch(`${data.origin}${DASHBOARD}/certificates/${id}`)).text();
    expect(plain).toContain(certificate.fingerprint_sha256);
    expect(plain).toContain('CertificateImported');
    expect((await fetch(`${data.origin}${DASHBOARD}/certificates/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    // Past the renewal point the bar warns; the text says the same.
    const soon = await (await fetch(`${data.origin}${DASHBOARD}/certificates/${expiringId}`)).text();
    expect(soon).toMatch(/<div class="validity expiring"[^>]*><span style="width: 9\d\.\d%">/);
    expect(soon).toContain('2 days left');
  });

  it('marks from the page: an empty reason is refused next to it, then the certificate is deactivated', async () => {
    const target = data.imported[2]!;
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    await page.goto(`${DASHBOARD}/certificates/${target.certificateId}`);
    expect(await page.locator('p.status').textContent()).toContain('active');
    // Blanks pass the browser's `required`; the API's schema trims them away.
    await page.getByLabel('Reason').fill('   ');
    const [refused] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Deactivate' }).click()]);
    expect(refused!.status()).toBe(400);
    const api = await fetch(`${data.origin}/api/v1/certificates/${target.certificateId}/deactivate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: '   ' }),
    });
    const apiError = (await api.json() as { form_errors: Record<string, string> }).form_errors.reason;
    expect(await page.locator('#f-reason-error').textContent()).toBe(apiError);

    await page.getByLabel('Reason').fill('replaced by the upload test');
    await page.getByLabel('Your name (optional)').fill('tester');
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.waitForURL(/\?done=deactivate$/);
    expect(await page.locator('.notice').textContent()).toContain('Certificate deactivated');
    expect(await page.locator('p.status .badge').first().textContent()).toBe('inactive');
    expect(await page.locator('ol.timeline').textContent()).toContain('CertificateDeactivated');
    expect(await page.locator('ol.timeline').textContent()).toContain('by dashboard:tester');
    expect(await page.getByRole('button', { name: 'Activate' }).count()).toBe(1);
    await screenshot(page, 'certificates-marked');

    // The list's status filter, from its control.
    await page.goto(`${DASHBOARD}/certificates`);
    await page.getByLabel('Status').selectOption('false');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/active=false/);
    expect(await rowNames(page)).toEqual([target.names.join(', ')]);
    expect(scriptErrors).toEqual([]);
    await context.close();
  });
});
