/**
 * The API's browsable page in real Chromium: `/api/docs` renders every endpoint of the
 * contract under its own CSP (no script runs, no CSP violation), and links to the OpenAPI
 * document the server generates.
 */
import { API } from '@remote-help/protocol';
import { expect, test } from '@playwright/test';
import { joinedPair, shot, signIn, closeContexts } from './support.js';

test.afterEach(closeContexts);

test('the API docs page lists the contract and breaks no CSP rule', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto('/api/docs');
  await expect(page.getByRole('heading', { name: 'remote-help API', level: 1 })).toBeVisible();
  for (const name of Object.keys(API)) await expect(page.locator(`section#${name}`)).toHaveCount(1);
  // The stylesheet applied (allowed by its hash): the header is the brand colour, not the default.
  const header = await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(header).not.toBe('rgba(0, 0, 0, 0)');
  await page.locator('section#createSession summary', { hasText: 'Response' }).click();
  await shot(page, 'api-docs');
  await page.locator('section#createSession').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/api-docs-create-session.png' });
  await page.locator('nav a', { hasText: 'POST /api/v1/devices/:id/sessions' }).click();
  await page.screenshot({ path: 'e2e/screenshots/api-docs-launch.png' });
  const openapi = await page.request.get('/api/openapi.json');
  expect(openapi.status()).toBe(200);
  expect((await openapi.json()).openapi).toBe('3.1.0');
  expect(violations).toEqual([]);
});

test('the web apps call the API through the client core: a wrong code is a typed error, a right one joins', async ({
  browser,
}) => {
  const { helper, sharer } = await joinedPair(browser);
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  // A second sharer with a made-up code: the envelope becomes ApiError('code_invalid') and its translated text.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, '/share', 'sharer@contoso.example');
  const redeem = other.waitForResponse((r) => r.url().endsWith('/api/v1/sessions/redeem'));
  await other.getByLabel('Security code').fill('00000000');
  await other.getByRole('button', { name: 'Submit' }).click();
  expect((await redeem).status()).toBe(400);
  await expect(other.getByText('That code is not valid. Check the digits and try again.')).toBeVisible();
  await other.screenshot({ path: 'e2e/screenshots/api-client-wrong-code.png' });
  await sharer.close();
});
