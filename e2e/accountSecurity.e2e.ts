/**
 * Security info (issue 9): a person sets up an authenticator app from /account/security (QR
 * code, key, first code, recovery codes shown once), then signs in again and is asked for the
 * authenticator code after the password; the page shows the recovery codes left.
 */
import { createHmac } from 'node:crypto';
import { expect as baseExpect, test } from '@playwright/test';
import { PASSWORD, closeContexts, joinedPair, shot, signIn } from './support.js';

test.describe.configure({ timeout: 300_000 });
const expect = baseExpect.configure({ timeout: 30_000 });
test.afterEach(closeContexts);

/** RFC 6238 code of a base32 secret for the 30-second step `offset` steps from now. */
function totp(secretBase32: string, offset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1]! & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * The person of this journey: a user of its own, because the journeys share one server and a
 * demo user with an authenticator app would be asked for a code in every later journey.
 */
const PERSON = 'mfa-journey@contoso.example';

test('set up an authenticator app, then sign in with its code', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/help', 'admin@contoso.example');
  const csrf = ((await (await admin.request.get('/api/v1/me')).json()) as { csrfToken: string }).csrfToken;
  const created = await admin.request.post('/api/v1/users', {
    headers: { 'x-csrf-token': csrf },
    data: { email: PERSON, displayName: 'Mira Faktor', jobTitle: 'Service desk', password: PASSWORD },
  });
  expect(created.status(), await created.text()).toBe(201);

  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await signIn(page, '/account/security', PERSON);
  await expect(page.getByText('Multi-factor authentication is off')).toBeVisible();
  await shot(page, 'account-security-off');

  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const qr = page.getByRole('img', { name: /QR code/ });
  await expect(qr).toBeVisible();
  const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
  await shot(page, 'account-security-qr');

  await page.getByLabel(/6-digit code/).fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right', { exact: false })).toBeVisible();
  await page.getByLabel(/6-digit code/).fill(totp(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await shot(page, 'account-security-recovery-codes');
  // The codes are shown once: leaving for the home page asks first, and Stay keeps them on the screen.
  const guard = page.getByTestId('leave-guard');
  await page.getByRole('link', { name: 'Remote Help home' }).click();
  await expect(guard).toContainText('Leave before copying?');
  await shot(page, 'account-security-recovery-codes-leave');
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  expect(new URL(page.url()).pathname).toBe('/account/security');
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await page.getByRole('button', { name: 'I saved my recovery codes' }).click();
  await expect(page.getByTestId('recovery-left')).toHaveText('10 recovery codes left');
  await shot(page, 'account-security-on');
  // Saved, nothing holds the page any more.
  await page.getByRole('link', { name: 'Remote Help home' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(guard).toHaveCount(0);

  // A new browser: the sign-in asks for the code after the password.
  const other = await browser.newContext();
  const next = await other.newPage();
  await next.goto('/account/security');
  await next.getByRole('button', { name: 'Sign in', exact: true }).click();
  await next.waitForURL(/\/signin\//);
  await next.getByLabel('Email').fill(PERSON);
  await next.getByLabel('Password').fill(PASSWORD);
  await next.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(next.getByRole('heading', { name: 'Enter code' })).toBeVisible();
  await shot(next, 'account-security-signin-code');
  await next.getByLabel('Code').fill(totp(secret, 1));
  await next.getByRole('button', { name: 'Verify' }).click();
  await next.waitForURL((url) => url.pathname === '/account/security');
  await expect(next.getByText('Multi-factor authentication is on')).toBeVisible();

  // Another authenticator app in place of this one: the password too, so a stolen cookie cannot.
  await next.getByRole('button', { name: 'Use another authenticator app' }).click();
  await expect(next.getByRole('img', { name: /QR code/ })).toBeVisible();
  const replacement = (await next.getByTestId('mfa-secret').textContent())!.trim();
  await next.getByLabel(/6-digit code/).fill(totp(replacement));
  const verify = next.getByRole('button', { name: 'Verify' });
  await expect(verify).toBeDisabled();
  const mfaPanel = next.getByTestId('mfa-panel');
  await mfaPanel.getByLabel('Current password').fill('not the password at all');
  await verify.click();
  await expect(next.getByText('That password is not right.')).toBeVisible();
  await shot(next, 'account-security-replace-password');
  await mfaPanel.getByLabel('Current password').fill(PASSWORD);
  await next.getByLabel(/6-digit code/).fill(totp(replacement));
  await verify.click();
  await expect(next.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await next.getByRole('button', { name: 'I saved my recovery codes' }).click();
  await expect(next.getByTestId('recovery-left')).toHaveText('10 recovery codes left');
});

test('signed out by an administrator mid-session: the page says so at once and offers to sign in again', async ({
  browser,
}) => {
  const { helper, sharer } = await joinedPair(browser);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/help', 'admin@contoso.example');
  const csrf = ((await (await admin.request.get('/api/v1/me')).json()) as { csrfToken: string }).csrfToken;
  const sharerId = ((await (await sharer.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id;
  const signedOut = await admin.request.post(`/api/v1/users/${sharerId}/sign-out`, {
    headers: { 'x-csrf-token': csrf },
  });
  expect(signedOut.status()).toBe(204);
  // The server closes the sharer's socket: the page says why and links to a new sign-in.
  const notice = sharer.getByTestId('server-error');
  await expect(notice).toContainText('Your sign-in has expired. Sign in again.');
  await expect(notice.getByTestId('sign-in-again')).toBeVisible();
  await shot(sharer, 'account-signed-out-by-admin');
  // The helper learns the sharer left, as for any other way of going.
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  await notice.getByTestId('sign-in-again').click();
  await sharer.waitForURL(/\/signin\//);
});
