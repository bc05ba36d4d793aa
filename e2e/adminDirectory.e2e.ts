/**
 * Users and groups in the admin center, as the demo administrator uses them: create a person
 * (password generated and shown once), set their job title and company, upload a real PNG
 * as their picture and see it on their page, in the list and as their own avatar once they
 * sign in; an HTML file "as a picture" is refused with a clear message. Then a group with
 * them in it, a dynamic device group by OS, and disabling them: their open sign-in ends and
 * they can no longer sign in. A person who signs in through the organization's own provider:
 * their sign-in link on their page, unlinked after a confirmation, and their recreated account
 * at the provider linked to them at its next sign-in.
 */
import type { Locator, Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import sharp from 'sharp';
import { E2E_URL } from '../playwright.config.js';
import { startOrgIdp } from '../packages/server/src/test/orgIdp.js';
import { closeContexts, shot, signIn } from './support.js';

test.afterEach(closeContexts);

// Pages load lazily and the shared CI box is often busy: wait longer than the default for each step.
const expect = baseExpect.configure({ timeout: 30_000 });

/** A real 480×360 PNG: a diagonal blue-to-orange gradient with a white disc (looks like something). */
async function realPng(): Promise<Buffer> {
  const width = 480;
  const height = 360;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const k = (x + y) / (width + height);
      const inDisc = (x - 240) ** 2 + (y - 150) ** 2 < 70 ** 2;
      pixels[i] = inDisc ? 250 : Math.round(15 + 230 * k);
      pixels[i + 1] = inDisc ? 250 : Math.round(108 + 40 * k);
      pixels[i + 2] = inDisc ? 250 : Math.round(189 - 150 * k);
    }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The picture an Avatar shows has loaded from our photo endpoint, at the stored size. */
async function expectPhoto(avatar: Locator): Promise<void> {
  const img = avatar.locator('img');
  await expect(img).toHaveAttribute('src', /\/api\/v1\/users\/[A-Za-z0-9_-]+\/photo\?v=/);
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(256);
}

/** Signs in through the embedded IdP's page with a password; returns the page's text after submitting. */
async function signInWith(page: Page, path: string, email: string, password: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('an administrator creates, pictures, groups and disables a person', async ({ browser }) => {
  test.setTimeout(420_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/directory/users', 'admin@contoso.example');
  await expect(admin.getByTestId('user-table')).toBeVisible();
  await expect(admin.getByTestId('user-row').first()).toBeVisible();
  await shot(admin, 'directory-01-users');

  // Create: display name and user name; the password is generated and shown once.
  await admin.getByRole('button', { name: 'New user' }).click();
  const dialog = admin.getByTestId('new-user-dialog');
  await dialog.getByLabel('Display name').fill('Dana Whitfield');
  await dialog.getByLabel('User name').fill('dana.whitfield');
  await expect(dialog.getByTestId('upn-preview')).toHaveText('Sign-in name: dana.whitfield@contoso.example');
  await shot(admin, 'directory-02-new-user');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const once = admin.getByTestId('one-time-password');
  await expect(once).toBeVisible();
  const password = ((await once.getByTestId('generated-password').textContent()) ?? '').trim();
  expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
  await shot(admin, 'directory-03-password-once');
  await once.getByRole('button', { name: 'Done' }).click();
  await admin.waitForURL(/\/admin\/directory\/users\/[A-Za-z0-9_-]+$/);
  const userUrl = new URL(admin.url()).pathname;
  await expect(admin.getByRole('heading', { level: 1, name: 'Dana Whitfield' })).toBeVisible();

  // Job title and company.
  const profile = admin.getByTestId('user-profile');
  await profile.getByLabel('Job title').fill('Financial Analyst');
  await profile.getByLabel('Company name').fill('Contoso Ltd.');
  await profile.getByRole('button', { name: 'Save' }).click();
  await expect(profile.getByTestId('profile-saved')).toBeVisible();
  await expect(admin.getByText('Financial Analyst · Contoso Ltd.')).toBeVisible();

  // An HTML file as the picture: refused, with a message that says what to choose instead.
  const picture = admin.getByTestId('user-picture');
  await picture.getByTestId('picture-file').setInputFiles({
    name: 'portrait.png.html',
    mimeType: 'text/html',
    buffer: Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
  });
  await expect(picture.getByTestId('picture-error')).toHaveText(
    'This file is not a picture we can use. Choose a PNG, JPEG or WebP picture that opens in an image viewer.',
  );
  await expect(picture.getByTestId('user-picture-avatar').locator('img')).toHaveCount(0);
  await shot(admin, 'directory-04-html-refused');

  // A real PNG: stored, and shown on the page (header and picture card) as the server's 256×256 WebP.
  await picture.getByTestId('picture-file').setInputFiles({
    name: 'dana.png',
    mimeType: 'image/png',
    buffer: await realPng(),
  });
  await expect(picture.getByTestId('picture-done')).toBeVisible();
  await expect(picture.getByTestId('picture-error')).toHaveCount(0);
  await expectPhoto(picture.getByTestId('user-picture-avatar'));
  await expectPhoto(admin.getByTestId('user-header-avatar'));
  const photoUrl = await admin.getByTestId('user-header-avatar').locator('img').getAttribute('src');
  const served = await admin.request.get(photoUrl!);
  expect(served.headers()['content-type']).toBe('image/webp');
  expect(served.headers()['x-content-type-options']).toBe('nosniff');
  expect(served.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
  await shot(admin, 'directory-05-user-page');

  // In the list, searched by name, with the picture.
  await admin.goto('/admin/directory/users');
  await admin.getByRole('searchbox', { name: 'Search by name or email' }).fill('whitf');
  const row = admin.locator('[data-testid="user-row"][data-email="dana.whitfield@contoso.example"]');
  await expect(row).toBeVisible();
  await expect(admin.getByTestId('user-row')).toHaveCount(1);
  await expectPhoto(row.getByTestId('user-row-avatar'));
  await expect(row).toContainText('Financial Analyst');
  await shot(admin, 'directory-06-users-search');
  // The search is kept in the address: back from Dana's page shows the same list, typed text included.
  await expect(admin).toHaveURL(/\/admin\/directory\/users\?search=whitf$/);
  await row.getByRole('link', { name: 'Dana Whitfield' }).click();
  await admin.waitForURL(userUrl);
  await expect(admin.getByRole('heading', { level: 1, name: 'Dana Whitfield' })).toBeVisible();
  await admin.goBack();
  await expect(admin.getByRole('searchbox', { name: 'Search by name or email' })).toHaveValue('whitf');
  await expect(admin.getByTestId('user-row')).toHaveCount(1);
  await expect(row).toBeVisible();

  // A user group with Dana in it (added from the group's page), seen on Dana's page too.
  await admin.goto('/admin/directory/groups');
  await admin.getByRole('button', { name: 'New group' }).click();
  const newGroup = admin.getByTestId('new-group-dialog');
  await newGroup.getByLabel('Name').fill('Finance team');
  await newGroup.getByLabel('Description').fill('People of the finance department');
  await newGroup.getByRole('button', { name: 'Create' }).click();
  await admin.waitForURL(/\/admin\/directory\/groups\/[A-Za-z0-9_-]+$/);
  await expect(admin.getByRole('heading', { level: 1, name: 'Finance team' })).toBeVisible();
  const members = admin.getByTestId('group-members');
  await members.getByTestId('member-picker').click();
  await members.getByTestId('member-picker').pressSequentially('Dana');
  await admin.getByRole('option', { name: /Dana Whitfield/ }).click();
  await members.getByRole('button', { name: 'Add' }).click();
  await expect(members.locator('[data-testid="member-row"][data-member="Dana Whitfield"]')).toBeVisible();
  await expect(members.getByRole('heading', { name: 'Members (1 person)' })).toBeVisible();
  await shot(admin, 'directory-07-group-members');
  await admin.goto(userUrl);
  await expect(admin.getByTestId('user-groups').getByTestId('user-group-row')).toHaveText(/Finance team/);

  // A dynamic device group by OS.
  await admin.goto('/admin/directory/groups');
  await admin.getByRole('button', { name: 'New group' }).click();
  await newGroup.getByRole('radio', { name: 'Devices' }).check();
  await newGroup.getByLabel('Name').fill('All Macs');
  await newGroup.getByRole('radio', { name: 'Dynamic' }).check();
  await expect(newGroup.getByTestId('rule-editor')).toBeVisible();
  await shot(admin, 'directory-08-dynamic-group');
  await newGroup.getByRole('button', { name: 'Create' }).click();
  await admin.waitForURL(/\/admin\/directory\/groups\/[A-Za-z0-9_-]+$/);
  await expect(admin.getByText('Members now: devices where Operating system equals macOS.')).toBeVisible();
  await admin.goto('/admin/directory/groups');
  await expect(admin.locator('[data-testid="group-row"][data-group="All Macs"]')).toContainText('Dynamic');
  await shot(admin, 'directory-09-groups');
  // Filtered by type and name, then back from a group: the same filter, from the address.
  await admin.getByRole('tab', { name: 'Device groups' }).click();
  await admin.getByRole('searchbox', { name: 'Search groups by name' }).fill('mac');
  await expect(admin).toHaveURL(/\/admin\/directory\/groups\?search=mac&type=device$/);
  await expect(admin.getByTestId('group-row')).toHaveCount(1);
  await admin.getByRole('link', { name: 'All Macs' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'All Macs' })).toBeVisible();
  await admin.goBack();
  await expect(admin.getByRole('searchbox', { name: 'Search groups by name' })).toHaveValue('mac');
  await expect(admin.getByRole('tab', { name: 'Device groups' })).toHaveAttribute('aria-selected', 'true');
  await expect(admin.getByTestId('group-row')).toHaveCount(1);

  // Dana signs in with the generated password and sees her own picture as her avatar.
  const dana = await (await browser.newContext()).newPage();
  await signInWith(dana, '/share', 'dana.whitfield@contoso.example', password);
  await dana.waitForURL((url) => url.pathname === '/share');
  await expect(dana.getByTestId('signed-in-user')).toHaveText('Dana Whitfield');
  await expectPhoto(dana.locator('header').locator('.fui-Avatar'));
  await shot(dana, 'directory-10-dana-signed-in');

  // Disabled: her open sign-in ends, and she cannot sign in again.
  await admin.goto(userUrl);
  await admin.getByTestId('user-account').getByRole('button', { name: 'Disable sign-in' }).click();
  const confirm = admin.getByTestId('confirm-disable');
  await expect(confirm).toContainText('every Remote Help session they are in');
  await shot(admin, 'directory-11-confirm-disable');
  await confirm.getByRole('button', { name: 'Disable sign-in' }).click();
  await expect(admin.getByTestId('account-status')).toHaveText('Disabled');
  await shot(admin, 'directory-12-disabled');
  // A link to the disabled people lists Dana, with the filter shown.
  await admin.goto('/admin/directory/users?status=disabled');
  await expect(admin.getByRole('combobox', { name: 'Account status' })).toHaveText('Sign-in disabled');
  await expect(admin.locator('[data-testid="user-row"][data-email="dana.whitfield@contoso.example"]')).toBeVisible();
  await expect(admin.getByTestId('user-row').getByText('Enabled', { exact: true })).toHaveCount(0);

  await dana.reload();
  await expect(dana.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(dana.getByTestId('signed-in-user')).toHaveCount(0);
  await signInWith(dana, '/share', 'dana.whitfield@contoso.example', password);
  await expect(dana.getByText('Your account is disabled. Contact your administrator.')).toBeVisible();
  expect(new URL(dana.url()).pathname).toMatch(/^\/signin\//);
  await shot(dana, 'directory-13-disabled-sign-in');
});

test('an administrator unlinks a person’s organization sign-in, and their recreated account links again', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const email = 'grace.federated@contoso.example';
  const idp = await startOrgIdp({
    clientId: 'remote-help-e2e',
    clientSecret: 'e2e-client-secret',
    redirectUri: `${E2E_URL}/auth/federation/callback`,
  });
  idp.accounts.set('grace', { email, name: 'Grace Federated', job_title: 'Accountant', company: 'Contoso' });
  // Signed in with a password before Contoso federates (its domain then goes to the provider).
  const admin = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(admin, '/admin/directory/users', 'admin@contoso.example');
  const { csrfToken } = (await (await admin.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const api = async (method: string, path: string, data?: unknown) => {
    const r = await admin.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
    return { status: r.status(), body: r.status() === 204 ? null : ((await r.json()) as Record<string, unknown>) };
  };
  const provider = {
    name: 'Contoso Entra ID',
    issuer: idp.issuer,
    clientId: 'remote-help-e2e',
    clientSecret: 'e2e-client-secret',
    scopes: ['openid', 'email', 'profile'],
    domains: ['contoso.example'],
  };
  const created = await api('POST', '/api/v1/identity-providers', provider);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const providerId = (created.body!.provider as { id: string }).id;
  /** `account` at the provider signs in to the web app, in a browser of its own. */
  const federatedSignIn = async (account: string) => {
    idp.nextAccount = account;
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await page.goto(`/auth/login?returnTo=/share&login_hint=${encodeURIComponent(email)}`);
    return page;
  };
  try {
    const grace = await federatedSignIn('grace');
    await grace.waitForURL((url) => url.pathname === '/share');
    await expect(grace.getByTestId('signed-in-user')).toHaveText('Grace Federated');

    // Her account at the provider is deleted and made again: the new one is refused while the old link stands.
    idp.accounts.set('grace-again', { email, name: 'Grace Federated', job_title: 'Accountant', company: 'Contoso' });
    const refused = await federatedSignIn('grace-again');
    await expect(refused.locator('[data-error="federation_identity_conflict"]')).toBeVisible();

    // Her page shows the link, with the provider and when it was made.
    await admin.goto('/admin/directory/users?search=grace');
    await admin.getByRole('link', { name: 'Grace Federated' }).click();
    await admin.waitForURL(/\/admin\/directory\/users\/[A-Za-z0-9_-]+$/);
    const userUrl = new URL(admin.url()).pathname;
    const links = admin.getByTestId('user-identities');
    await expect(links.getByRole('heading', { name: 'Organization sign-in' })).toBeVisible();
    await expect(links.getByTestId('user-identity')).toHaveCount(1);
    await expect(links.getByTestId('user-identity')).toContainText('Contoso Entra ID');
    await expect(links.getByTestId('user-identity')).toContainText(/Linked \w{3} \d{1,2}, \d{4}/);
    await expect(links.getByTestId('user-identity')).toContainText('Account ID: grace');
    await links.scrollIntoViewIfNeeded();
    await shot(admin, 'directory-14-sign-in-links');
    await links.screenshot({ path: 'e2e/screenshots/directory-14b-sign-in-links-card.png', animations: 'disabled' });

    // The same card right to left (Hebrew).
    const hebrew = await (
      await browser.newContext({ locale: 'he-IL', storageState: await admin.context().storageState() })
    ).newPage();
    await hebrew.goto(userUrl);
    await expect(hebrew.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(hebrew.getByTestId('user-identity')).toContainText('Contoso Entra ID');
    await hebrew
      .getByTestId('user-identities')
      .screenshot({ path: 'e2e/screenshots/directory-14c-sign-in-links-rtl.png', animations: 'disabled' });
    await hebrew.context().close();

    // Unlink, after a confirmation that says what happens.
    await links.getByRole('button', { name: 'Unlink Contoso Entra ID' }).click();
    const confirm = admin.getByTestId('confirm-unlink-identity');
    await expect(confirm).toContainText('Unlink Grace Federated from Contoso Entra ID?');
    await expect(confirm).toContainText(
      'They can sign in with Contoso Entra ID again; their next sign-in links the account they use there.',
    );
    await shot(admin, 'directory-15-confirm-unlink');
    await confirm.getByRole('button', { name: 'Unlink' }).click();
    await expect(confirm).toBeHidden();
    await expect(links.getByTestId('identity-unlinked')).toHaveText(
      'Unlinked from Contoso Entra ID. Their next sign-in there links the account they use.',
    );
    await expect(links.getByTestId('user-identity')).toHaveCount(0);
    await shot(admin, 'directory-16-unlinked');

    // Her new account signs in as her and is linked.
    const again = await federatedSignIn('grace-again');
    await again.waitForURL((url) => url.pathname === '/share');
    await expect(again.getByTestId('signed-in-user')).toHaveText('Grace Federated');
    await admin.reload();
    await expect(links.getByTestId('user-identity')).toHaveCount(1);
    await expect(links.getByTestId('user-identity')).toContainText('Account ID: grace-again');

    // Someone without links: no card at all.
    await admin.goto('/admin/directory/users?search=okafor');
    await admin.getByRole('link', { name: 'Daniel Okafor' }).click();
    await expect(admin.getByTestId('user-account')).toBeVisible();
    await expect(admin.getByTestId('user-identities')).toHaveCount(0);

    // The provider's page: its MFA is counted for conditional access until the administrator says not to.
    await admin.goto(`/admin/identity/${providerId}`);
    const countMfa = admin.getByRole('switch', { name: "Count this provider's multi-factor authentication" });
    await expect(countMfa).toBeChecked();
    await countMfa.click();
    await expect(countMfa).not.toBeChecked();
    await countMfa.scrollIntoViewIfNeeded();
    await shot(admin, 'directory-17-provider-count-mfa-off');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForURL((url) => url.pathname === '/admin/identity');
    const saved = await api('GET', `/api/v1/identity-providers/${providerId}`);
    expect((saved.body!.provider as { countProviderMfa: boolean }).countProviderMfa).toBe(false);
  } finally {
    // Contoso signs in with passwords again for the journeys after this one.
    expect((await api('DELETE', `/api/v1/identity-providers/${providerId}`)).status).toBe(204);
    await idp.stop();
  }
});
