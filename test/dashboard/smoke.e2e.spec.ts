import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, openBrowser, screenshot } from '../support/browser.js';
import { DASHBOARD, startDashboardData, type DashboardData } from './dashboard-support.js';

describe('dashboard frame', () => {
  let data: DashboardData;
  let browser: Browser;
  beforeAll(async () => {
    [data, browser] = await Promise.all([startDashboardData({ token: 'dashboard-token-for-tests' }), openBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await data?.close();
  });

  it('signs in from the browser: a wrong token is refused next to its field, the right one lands on the page asked for', async () => {
    const { context, page, scriptErrors } = await newContext(browser, data.origin);
    const first = await page.goto(`${DASHBOARD}/certificates`);
    expect(first!.status()).toBe(401);
    await screenshot(page, 'dashboard-sign-in');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#f-token-error').textContent()).toContain('not the admin token');
    await page.getByLabel('Admin token').fill('dashboard-token-for-tests');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${DASHBOARD}/certificates`);
    expect(await page.locator('h1').textContent()).toBe('Certificates');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`**${DASHBOARD}/login`);
    expect((await page.goto(`${DASHBOARD}/`))!.status()).toBe(401);
    expect(scriptErrors).toEqual([]);
    await context.close();
  });

  it('asks for the token, signs in with it, and serves pages with the session cookie', async () => {
    const refused = await fetch(`${data.origin}${DASHBOARD}/`);
    expect(refused.status).toBe(401);
    const text = await refused.text();
    expect(text).toContain('Admin token');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
    const cookies = refused.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const signIn = await fetch(`${data.origin}${DASHBOARD}/login`, {
      method: 'POST', redirect: 'manual', headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, token: 'dashboard-token-for-tests', next: `${DASHBOARD}/` }),
    });
    expect(signIn.status).toBe(303);
    const session = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(session).not.toContain('dashboard-token-for-tests');
    const overview = await fetch(`${data.origin}${DASHBOARD}/`, { headers: { cookie: `${cookies}; ${session}` } });
    expect(overview.status).toBe(200);
    // The session reads the API but does not change it.
    const read = await fetch(`${data.origin}/api/v1/certificates`, { headers: { cookie: session } });
    expect(read.status).toBe(200);
    const write = await fetch(`${data.origin}/api/v1/certificates/${data.imported[0]!.certificateId}/deactivate`, { method: 'POST', headers: { cookie: session, 'content-type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(401);
  });
});
