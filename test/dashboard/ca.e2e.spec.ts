import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/app.js';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { createCa, issueLeaf } from '../support/pki.js';
import { DASHBOARD, type DashboardData, fetchPage, startDashboardData } from './dashboard-support.js';

type CaItem = { id: string; subject: string; fingerprint_sha1: string; pem?: string };
type ChainItem = { id: string; ca_certificate_ids: string[]; pem: string };

/**
 * The CA pages over real data: the test CA with its three imported certificates, and Pebble's
 * intermediates from the issued order's default and alternate chains (Pebble's roots are not in
 * any chain it sends, so each chain's top is an intermediate).
 */
describe('dashboard: CA certificates, CA chains and the chain preference policy', () => {
  let data: DashboardData;
  let browser: Browser;
  let cas: CaItem[];
  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData(), openBrowser()]);
    cas = (await api('/ca-certificates?limit=100')).items;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  const api = async (path: string) => json(await fetch(`${data.origin}/api/v1${path}`));
  const plain = (path: string) => fetchPage(data.origin, path);
  const chain = async (id: string): Promise<ChainItem> => (await api(`/ca-chains/${id}`)).ca_chain;
  const selectedChain = async (certificateId: string): Promise<string> =>
    (await api(`/certificates/${certificateId}`)).certificate.ca_chains.find((c: { is_selected: boolean }) => c.is_selected).id;
  const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();
  async function open(path: string, name: string) {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    const res = await page.goto(`${DASHBOARD}${path}`);
    expect(res!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe(name);
    return { context, page, scriptErrors };
  }

  it('lists the test CA and Pebble\u2019s intermediates, searches and sorts by links', async () => {
    const { context, page, scriptErrors } = await open('/ca-certificates', 'CA certificates');
    const rows = await texts(page, 'table tbody tr');
    expect(rows).toHaveLength(cas.length);
    const testCa = rows.find((r) => r.includes('Dashboard Test CA'))!;
    expect(testCa).toMatch(/root/);
    expect(testCa.split('\t')[6]).toBe('3');
    expect(rows.filter((r) => r.includes('Pebble Intermediate CA')).length).toBeGreaterThanOrEqual(6);
    await screenshot(page, 'ca-certificates');

    await page.getByLabel('Subject, issuer or fingerprint').fill('pebble intermediate');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=pebble/);
    const found = await texts(page, 'table tbody tr');
    expect(found.length).toBe(cas.filter((c) => c.subject.includes('Pebble Intermediate')).length);
    expect(found.join('\n')).not.toContain('Dashboard Test CA');
    await page.getByRole('link', { name: 'Valid until' }).click();
    expect(await page.locator('th[aria-sort]').textContent()).toContain('Valid until');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const html = await plain('/ca-certificates?sort=subject&dir=desc');
    expect(html.text).toContain('Dashboard Test CA');
    expect(html.text.indexOf('Pebble Intermediate')).toBeLessThan(html.text.indexOf('Dashboard Test CA'));
    const bad = await plain('/ca-certificates?sort=nope');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('sort');
  });

  it('shows a CA certificate: facts, its chains, what it signs, downloads and its events', async () => {
    const testCa = cas.find((c) => c.subject.includes('Dashboard Test CA'))!;
    const { context, page, scriptErrors } = await open(`/ca-certificates/${testCa.id}`, testCa.subject);
    expect(await page.locator('dl.facts').innerText()).toContain(testCa.fingerprint_sha1);
    const signed = await page.getByRole('table', { name: 'Certificates it signs' }).innerText();
    for (const imported of data.imported) expect(signed).toContain(imported.names[0]);
    expect(await page.locator('ol.timeline').innerText()).toContain('CaCertificateImported');
    const downloads = await page.locator('ul.downloads a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    expect(downloads.filter((href) => /\/cert\.(pem|pem\.txt|cer|crt|der)$/.test(href))).toHaveLength(5);
    for (const href of downloads) expect((await fetch(`${data.origin}${href}`)).status, href).toBe(200);
    expect(await (await fetch(`${data.origin}/api/v1/ca-certificates/${testCa.id}/cert.pem`)).text()).toBe(data.ca.certPem);
    await screenshot(page, 'ca-certificate');
    expect(scriptErrors).toEqual([]);

    // An intermediate of Pebble's: it signs the next one down its chain, and sits in that chain.
    const issuedChain = await chain((await api(`/certificates/${data.issued.certificateId}`)).certificate.ca_chains[0].id);
    const middle = cas.find((c) => c.id === issuedChain.ca_certificate_ids[1])!;
    await page.goto(`${DASHBOARD}/ca-certificates/${middle.id}`);
    const signs = await page.getByRole('table', { name: 'CA certificates it signs' }).innerText();
    expect(signs).toMatch(/Pebble Intermediate CA [0-9a-f]+\s+intermediate\s+directly/);
    expect(await page.getByRole('table', { name: 'Chains holding this CA certificate' }).innerText()).toContain('between (2 of 3)');
    expect(scriptErrors).toEqual([]);
    await context.close();

    expect((await plain(`/ca-certificates/${testCa.id}`)).text).toContain(data.imported[1]!.names[0]);
    expect((await plain('/ca-certificates/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('lists CA chains and shows one from the top down with the certificates using it', async () => {
    const { context, page, scriptErrors } = await open('/ca-chains', 'CA chains');
    const listed = await api('/ca-chains?limit=100');
    const rows = await texts(page, 'table tbody tr');
    expect(rows).toHaveLength(listed.total);
    expect(rows.find((r) => r.includes('Dashboard Test CA'))).toMatch(/\t1\t3\t/);
    expect(rows.filter((r) => /Pebble Intermediate CA \w+ →.*#1 →.*#2/.test(r.replace(/\n/g, ' ')))).toHaveLength(3);
    await screenshot(page, 'ca-chains');

    const summary = (await api(`/certificates/${data.issued.certificateId}`)).certificate;
    const issuedChain = await chain(summary.ca_chains[0].id);
    await page.getByRole('link', { name: `${issuedChain.id.slice(0, 8)}…` }).click();
    expect(await page.locator('h1').textContent()).toBe(`CA chain ${issuedChain.id.slice(0, 8)}…`);
    const members = await page.getByRole('table', { name: 'CA certificates of this chain, top first' }).locator('tbody tr').allInnerTexts();
    const subjects = issuedChain.ca_certificate_ids.map((id) => cas.find((c) => c.id === id)!.subject);
    expect(members.map((r) => r.split('\t')[1])).toEqual([...subjects].reverse());
    expect(members[0]).toContain('top, nearest the root');
    expect(await page.locator('main').innerText()).toMatch(/The top is issued by CN=Pebble Root CA \w+ \(not in the catalog/);
    const users = await page.getByRole('table', { name: 'Certificates using this chain' }).innerText();
    expect(users).toContain(data.issued.name);
    expect(users).toContain('served');
    const chainPem = await page.locator('ul.downloads a', { hasText: 'chain.pem' }).first().getAttribute('href');
    expect(await (await fetch(`${data.origin}${chainPem}`)).text()).toBe(issuedChain.pem);
    await screenshot(page, 'ca-chain');
    expect(scriptErrors).toEqual([]);
    await context.close();

    const html = await plain(`/ca-chains/${issuedChain.id}`);
    expect(html.text).toContain(data.issued.name);
    expect(html.text).toContain(subjects[0]);
    expect((await plain('/ca-chains?q=Dashboard+Test')).text.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr>/g)).toHaveLength(1);
  });

  it('reorders the chain preference policy without script, and the issued certificate serves what it picks', async () => {
    const links = (await api(`/certificates/${data.issued.certificateId}`)).certificate.ca_chains as { id: string; is_default: boolean }[];
    const alternates = await Promise.all(links.filter((l) => !l.is_default).map((l) => chain(l.id)));
    const tops = alternates.map((c) => cas.find((ca) => ca.id === c.ca_certificate_ids.at(-1))!);
    const [first, second] = tops as [CaItem, CaItem];
    const { context, page, scriptErrors } = await open('/chain-preference', 'Chain preference policy');
    expect(await page.locator('main').innerText()).toContain('No preference set');

    // A fingerprint no CA certificate has: the API's own answer, next to the select.
    const unknown = 'ab'.repeat(20);
    const refused = await json(await fetch(`${data.origin}/api/v1/chain-preference`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fingerprints_sha1: [unknown] }) }));
    await page.locator('#f-fingerprints_sha1 option').first().evaluate((option, value) => option.setAttribute('value', value), unknown);
    await page.getByLabel('CA certificate').selectOption(unknown);
    const [bad] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Add to the policy' }).click()]);
    expect(bad.status()).toBe(400);
    expect(await page.locator('#f-fingerprints_sha1-error').textContent()).toBe(refused.form_errors['fingerprints_sha1.0']);

    for (const top of [first, second]) {
      await page.getByLabel('CA certificate').selectOption(top.fingerprint_sha1);
      await page.getByRole('button', { name: 'Add to the policy' }).click();
      await page.waitForURL(/done=saved/);
    }
    const entries = () => page.locator('ol.preference > li a[href*="/ca-certificates/"]').allInnerTexts();
    expect(await entries()).toEqual([first.subject, second.subject]);
    expect(await selectedChain(data.issued.certificateId)).toBe(alternates[0]!.id);

    await page.getByRole('button', { name: `Move up: ${second.subject}` }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.getByRole('status').textContent()).toContain('Chain preference saved');
    expect(await entries()).toEqual([second.subject, first.subject]);
    expect((await api('/chain-preference')).fingerprints_sha1).toEqual([second.fingerprint_sha1, first.fingerprint_sha1]);
    expect(await selectedChain(data.issued.certificateId)).toBe(alternates[1]!.id);
    const served = (await page.getByRole('table', { name: /chain each serves now/ }).locator('tbody tr').allInnerTexts()).find((r) => r.includes(data.issued.name))!;
    expect(served).toContain(`${alternates[1]!.id.slice(0, 8)}…`);
    expect(served).toContain('preference #1');
    await screenshot(page, 'ca-chain-preference');

    await page.getByRole('button', { name: `Remove: ${first.subject}` }).click();
    await page.waitForURL(/done=saved/);
    expect((await api('/chain-preference')).fingerprints_sha1).toEqual([second.fingerprint_sha1]);

    // A form from a page older than the policy is refused, not applied over the newer order.
    const newer = [first.fingerprint_sha1, second.fingerprint_sha1];
    await fetch(`${data.origin}/api/v1/chain-preference`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fingerprints_sha1: newer }) });
    const [stale] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: `Remove: ${second.subject}` }).click()]);
    expect(stale.status()).toBe(409);
    expect(await page.locator('.error-summary').textContent()).toContain('changed since this page was shown');
    expect((await api('/chain-preference')).fingerprints_sha1).toEqual(newer);
    expect(await entries()).toEqual([first.subject, second.subject]);
    expect(scriptErrors).toEqual([]);
    await context.close();

    const html = (await plain('/chain-preference')).text;
    expect(html.indexOf(first.subject)).toBeLessThan(html.indexOf(second.subject));
    expect(html).toContain(data.issued.name);
  });

  it('uploads a CA certificate: garbage and a leaf are refused next to the field, a CA is added once', async () => {
    const { context, page, scriptErrors } = await open('/ca-certificates/upload', 'Upload a CA certificate');
    const apiError = async (pem: string) => (await json(await fetch(`${data.origin}/api/v1/ca-certificates`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ certificate: pem }),
    }))).form_errors.certificate as string;
    const leaf = await issueLeaf(data.ca, { names: ['not-a-ca.example.test'] });
    for (const wrong of ['not a certificate', leaf.certPem]) {
      await page.getByLabel('CA certificate (PEM)').fill(wrong);
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Upload' }).click()]);
      expect(res.status()).toBe(400);
      expect(await page.locator('#f-certificate-error').textContent()).toBe(await apiError(wrong));
      expect(await page.getByLabel('CA certificate (PEM)').inputValue()).toBe(wrong.replace(/\r?\n/g, '\n'));
    }
    expect(await page.locator('#f-certificate-error').textContent()).toContain('is not a CA certificate');
    await screenshot(page, 'ca-upload');

    const root = await createCa({ name: 'Dashboard Uploaded Root' });
    for (const notice of ['CA certificate uploaded.', 'already known']) {
      await page.goto(`${DASHBOARD}/ca-certificates/upload`);
      await page.getByLabel('CA certificate (PEM)').fill(root.certPem);
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.waitForURL(/\/ca-certificates\/[0-9a-f-]{36}\?done=/);
      expect(await page.getByRole('status').textContent()).toContain(notice);
      expect(await page.locator('h1').textContent()).toContain('Dashboard Uploaded Root');
    }
    const id = page.url().match(/ca-certificates\/([0-9a-f-]{36})/)![1]!;
    expect((await api(`/ca-certificates/${id}`)).ca_certificate.pem).toBe(root.certPem);
    expect(scriptErrors).toEqual([]);
    await context.close();
    expect((await plain('/ca-certificates?q=Uploaded+Root')).text).toContain(`/ca-certificates/${id}`);
    expect((await plain('/ca-certificates/upload')).text).toContain('name="certificate"');
  });
});
