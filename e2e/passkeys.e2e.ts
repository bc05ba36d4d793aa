/**
 * Passkeys (issue 9): a person adds a passkey at /account/security, signs out, signs in with
 * password + passkey (the second step offers the passkey), signs out, and signs in with the
 * passkey alone from the first sign-in page; the administrator sees the passkey on the user
 * page. Real WebAuthn: Chromium's virtual authenticator (CTAP2, internal transport, resident
 * keys, user verification), attached to the person's tab through the DevTools protocol.
 *
 * WebAuthn refuses an IP address as the relying party, and the journeys' shared server is
 * `http://127.0.0.1:PORT`. So this journey starts a server of its own, on a free port, whose
 * public URL is `http://localhost:PORT` (a secure context, a valid RP ID), from the same build.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import { PASSWORD, closeContexts, shot } from './support.js';

test.describe.configure({ timeout: 300_000 });
const expect = baseExpect.configure({ timeout: 30_000 });
test.afterEach(closeContexts);

/** The person of this journey, made by the administrator (no demo user gets a passkey). */
const PERSON = 'passkey-journey@contoso.example';

let server: ChildProcess | undefined;
let base = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test.beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = spawn(process.execPath, ['scripts/e2e-server.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status, {
      timeout: 60_000,
    })
    .toBe(200);
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
});

/** From a signed-out page of the app: the sign-in page of the embedded provider. */
async function toSignInPage(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/signin\//);
}

async function passwordStep(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('add a passkey, then sign in with password + passkey and with the passkey alone', async ({ browser }) => {
  // The administrator makes the journey's person.
  const admin = await (await browser.newContext()).newPage();
  await toSignInPage(admin, '/help');
  await passwordStep(admin, 'admin@contoso.example');
  await admin.waitForURL((url) => url.pathname === '/help');
  const csrf = ((await (await admin.request.get(`${base}/api/v1/me`)).json()) as { csrfToken: string }).csrfToken;
  const created = await admin.request.post(`${base}/api/v1/users`, {
    headers: { 'x-csrf-token': csrf },
    data: { email: PERSON, displayName: 'Pia Schlüssel', jobTitle: 'Service desk', password: PASSWORD },
  });
  expect(created.status(), await created.text()).toBe(201);
  const personId = ((await created.json()) as { user: { id: string } }).user.id;

  // The person's browser, with a platform authenticator that verifies the user (Windows Hello, Touch ID).
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as {
      isResidentCredential: boolean;
      signCount: number;
    }[];

  await toSignInPage(page, '/account/security');
  await shot(page, 'passkeys-01-first-page');
  await passwordStep(page, PERSON);
  await page.waitForURL((url) => url.pathname === '/account/security');
  const panel = page.getByTestId('passkeys-panel');
  await expect(panel.getByText('No passkeys yet')).toBeVisible();

  await panel.getByRole('button', { name: 'Add a passkey' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Journey laptop');
  await shot(page, 'passkeys-02-add-dialog');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(panel.getByTestId('passkey')).toHaveCount(1);
  await expect(panel.getByTestId('passkey')).toContainText('Journey laptop');
  await expect(panel.getByTestId('passkey')).toContainText('not used yet');
  await expect(panel.getByText('Passkey “Journey laptop” added.')).toBeVisible();
  expect(await credentials()).toEqual([expect.objectContaining({ isResidentCredential: true })]);
  await shot(page, 'passkeys-03-added');

  // The administrator sees it on the person's page.
  await admin.goto(`${base}/admin/directory/users/${personId}`);
  await expect(admin.getByTestId('user-passkeys')).toContainText('1 passkey');
  await expect(admin.getByTestId('user-passkeys')).toContainText('Journey laptop');
  await shot(admin, 'passkeys-04-admin-user');

  // Sign out; the password is now followed by the passkey.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await toSignInPage(page, '/account/security');
  await passwordStep(page, PERSON);
  await expect(page.getByRole('heading', { name: 'Use your passkey' })).toBeVisible();
  await shot(page, 'passkeys-05-second-step');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/account/security');
  await expect(panel.getByTestId('passkey')).toContainText('last used');
  const me = async () =>
    ((await (await page.request.get(`${base}/api/v1/me`)).json()) as { user: { email: string } }).user.email;
  expect(await me()).toBe(PERSON);
  expect((await credentials())[0]?.signCount).toBeGreaterThanOrEqual(1);

  // Sign out; the first page's "Sign in with a passkey" needs no email and no password.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await toSignInPage(page, '/account/security');
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/account/security');
  expect(await me()).toBe(PERSON);
  await expect(page.getByTestId('passkeys-panel').getByTestId('passkey')).toContainText('Journey laptop');
  await shot(page, 'passkeys-06-signed-in-with-passkey');

  // The authenticator can no longer verify the person: the page says the passkey did not work; nobody signs in.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await toSignInPage(page, '/account/security');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText(/cancelled or timed out|did not verify/);
  expect(page.url()).toContain('/signin/');
  await shot(page, 'passkeys-07-not-verified');
});
