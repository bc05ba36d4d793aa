/**
 * The built web app under its own content security policy, in real Chromium: loading it reports
 * no CSP violation (zod runs jitless, so it never probes `new Function`), the signed-in app's
 * WebSocket still connects under the exact `connect-src`, and the build ships no source maps. Needs `npm run build` first (the gate does).
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { DEMO_PASSWORD, startTestServer } from '../test/harness.js';

const DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));
let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(`${DIST}/index.html`)) throw new Error(`no web build at ${DIST}: run npm run build first`);
  t = await startTestServer({ WEB_DIST: DIST });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

it('loads the web app without a single CSP violation', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /content security policy|refused to/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  // Violations of code that swallows the exception (zod's probe) still fire this event.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Refused to ${event.violatedDirective}: ${event.blockedURI} (content security policy)`);
    });
  });
  for (const path of ['/help', '/']) {
    const response = await page.goto(`${t.url}${path}`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    // The app rendered (the sign-in prompt or the app itself), so every module ran.
    await page.locator('#root > *').first().waitFor({ timeout: 15_000 });
  }
  await page.close();
  expect(problems).toEqual([]);
});

it('opens its WebSocket under connect-src limited to its own origin', async () => {
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/content security policy|refused to/i.test(message.text())) violations.push(message.text());
  });
  const socket = page.waitForEvent('websocket', (ws) => ws.url().endsWith('/api/v1/ws'));
  await page.goto(`${t.url}/help`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill('helper@contoso.example');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/help');
  const ws = await socket;
  // The server's hello arrives only on an open socket.
  await ws.waitForEvent('framereceived', { predicate: (frame) => String(frame.payload).includes('"hello"') });
  expect(violations).toEqual([]);
  await page.close();
});

it('ships no source maps', () => {
  const maps = readdirSync(`${DIST}/assets`).filter((name) => name.endsWith('.map'));
  expect(maps).toEqual([]);
});
