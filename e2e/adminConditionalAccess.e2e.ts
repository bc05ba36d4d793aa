/**
 * Tenant administration > Conditional access and Reports > Sign-in log (issue 9, item 4), as the
 * demo administrator uses them against the real server. The administrator adds the office as a
 * trusted named location (a range that is not CIDR is refused on its line first), creates
 * "Block admin center outside the office" in Report-only and sees it listed as such. Switched On,
 * it would lock the administrator out (signed in from outside the office): the server refuses,
 * the editor says so on the exclusions and keeps what was typed. A second policy, On, blocks the
 * sharer web app outside the office for Lena only. What if then says Daniel would be allowed from
 * 198.51.100.7 today, and why the Report-only policy would block him (not satisfied: blocked by a
 * policy), while from the office it does not apply, with the server's reason. Lena's sign-in is
 * refused, and the sign-in log shows her blocked entry and the administrator's allowed one, with
 * each policy's result in the details panel. The office cannot be deleted while policies use it
 * (the dialog names them); the policies are deleted (asked first), then the office.
 */
import type { Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import { closeContexts, PASSWORD, shot, signIn } from './support.js';

test.afterEach(closeContexts);

// Pages load lazily and the shared box is often busy: wait longer than the default for each step.
const expect = baseExpect.configure({ timeout: 30_000 });

const BASE = '/admin/tenant/conditional-access';
const OFFICE = 'Head office';
const ADMIN_POLICY = 'Block admin center outside the office';
const SHARER_POLICY = 'Lena: sharer app only from the office';

/** A screenshot of the whole page from its top (a scrolled page would show its sticky bar mid-way). */
async function pageShot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, name);
}

/** Picks `name` in a tag picker (users, groups, roles, locations) by typing part of it. */
async function pick(page: Page, testId: string, text: string, name: string): Promise<void> {
  const input = page.getByTestId(testId).locator('input');
  await input.click();
  await input.pressSequentially(text);
  await page.getByRole('option', { name }).click();
  await expect(page.getByTestId(testId)).toContainText(name);
}

test('an administrator sets up conditional access, asks What if, and reads the sign-in log', async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, `${BASE}/policies`, 'admin@contoso.example');
  await expect(admin.getByTestId('ca-policies-empty')).toBeVisible();

  // A named location: a line that is not a CIDR range is refused on the spot, then the office is saved.
  await admin.getByTestId('ca-tab-locations').click();
  await admin.getByTestId('ca-new-location').click();
  const dialog = admin.getByTestId('ca-location-dialog');
  await admin.getByTestId('ca-location-name').fill(OFFICE);
  await admin.getByTestId('ca-location-ranges').fill('203.0.113.0/24\n203.0.113.300/32');
  await admin.getByTestId('ca-location-trusted-switch').check();
  await admin.getByTestId('ca-location-submit').click();
  await expect(dialog).toContainText('Line 2 is not an IP range in CIDR notation');
  await shot(admin, 'ca-01-location-refused');
  await admin.getByTestId('ca-location-ranges').fill('203.0.113.0/24\n2001:db8:10::/48');
  await admin.getByTestId('ca-location-submit').click();
  await expect(dialog).toBeHidden();
  const officeRow = admin.getByTestId('ca-location-row').filter({ hasText: OFFICE });
  await expect(officeRow).toContainText('203.0.113.0/24, 2001:db8:10::/48');
  await expect(officeRow.getByTestId('ca-location-trusted')).toHaveText('Trusted');
  await shot(admin, 'ca-02-named-locations');

  // The policy, in Report-only: everyone, the admin center, anywhere but the trusted locations, blocked.
  await admin.getByTestId('ca-tab-policies').click();
  await admin.getByTestId('ca-new-policy').click();
  await expect(admin.getByTestId('ca-policy-editor')).toBeVisible();
  await admin.getByTestId('ca-policy-submit').click();
  await expect(admin.getByText('Enter a name.')).toBeVisible();
  await admin.getByTestId('ca-policy-name').fill(ADMIN_POLICY);
  await admin.getByTestId('ca-apps-selected').check();
  await admin.getByTestId('ca-app-admin').check();
  await admin.getByTestId('ca-condition-locations').check();
  await pick(admin, 'ca-locations-exclude-picker', 'trusted', 'All trusted locations');
  await admin.getByTestId('ca-grant-block').check();
  await expect(admin.getByTestId('ca-state-reportOnly')).toBeChecked();
  await pageShot(admin, 'ca-03-policy-editor');
  await admin.getByTestId('ca-policy-submit').click();
  await expect(admin.getByTestId('admin-notice')).toContainText(`Policy “${ADMIN_POLICY}” created.`);
  const adminRow = admin.getByTestId('ca-policy-row').filter({ hasText: ADMIN_POLICY });
  await expect(adminRow.getByTestId('ca-policy-state')).toHaveText('Report-only');
  await expect(adminRow.getByTestId('ca-policy-grant')).toHaveText('Blocks access');
  await expect(adminRow.getByTestId('ca-policy-apps')).toHaveText('Admin center');

  // Opened again, the editor shows what was saved.
  await adminRow.getByRole('link', { name: ADMIN_POLICY }).click();
  await expect(admin.getByTestId('ca-policy-name')).toHaveValue(ADMIN_POLICY);
  await expect(admin.getByTestId('ca-app-admin')).toBeChecked();
  await expect(admin.getByTestId('ca-locations-exclude-picker')).toContainText('All trusted locations');
  await expect(admin.getByTestId('ca-grant-block')).toBeChecked();
  // Switched On, it would lock the administrator out (signed in from 127.0.0.1): the server refuses,
  // the page says why on the exclusions, and nothing typed is lost.
  await admin.getByTestId('ca-state-on').check();
  await admin.getByTestId('ca-policy-submit').click();
  await expect(admin.getByTestId('ca-policy-save-error')).toContainText('would lock you out of the admin center');
  await expect(admin.getByText('The server did not accept this part.')).toBeVisible();
  await expect(admin.getByTestId('ca-policy-name')).toHaveValue(ADMIN_POLICY);
  await expect(admin.getByTestId('ca-state-on')).toBeChecked();
  await pageShot(admin, 'ca-04a-lockout-refused');
  // Cancel with the refused change still in the form: the editor asks before dropping it.
  await admin.getByRole('button', { name: 'Cancel' }).click();
  await admin.getByTestId('leave-guard').getByRole('button', { name: 'Leave without saving' }).click();
  await expect(
    admin.getByTestId('ca-policy-row').filter({ hasText: ADMIN_POLICY }).getByTestId('ca-policy-state'),
  ).toHaveText('Report-only');

  // A second policy, On: Lena may use the sharer web app only from the office.
  await admin.getByTestId('ca-new-policy').click();
  await admin.getByTestId('ca-policy-name').fill(SHARER_POLICY);
  await admin.getByTestId('ca-users-selected').check();
  await pick(admin, 'ca-include-users', 'Lena', 'Lena Fischer');
  await admin.getByTestId('ca-apps-selected').check();
  await admin.getByTestId('ca-app-sharer').check();
  await admin.getByTestId('ca-condition-locations').check();
  await pick(admin, 'ca-locations-exclude-picker', 'Head', OFFICE);
  await admin.getByTestId('ca-grant-block').check();
  await admin.getByTestId('ca-state-on').check();
  await admin.getByTestId('ca-policy-submit').click();
  await expect(admin.getByTestId('admin-notice')).toContainText(`Policy “${SHARER_POLICY}” created.`);
  await expect(
    admin.getByTestId('ca-policy-row').filter({ hasText: SHARER_POLICY }).getByTestId('ca-policy-state'),
  ).toHaveText('On');
  await pageShot(admin, 'ca-04-policies');

  // What if: Daniel, the admin center, from 198.51.100.7 — allowed today, and the Report-only policy says why it would block.
  await admin.getByTestId('ca-tab-what-if').click();
  await admin.getByTestId('ca-whatif-evaluate').click();
  await expect(admin.getByText('Choose a person.')).toBeVisible();
  await admin.getByTestId('ca-whatif-user').click();
  await admin.getByTestId('ca-whatif-user').pressSequentially('Daniel');
  await admin.getByRole('option', { name: /Daniel Okafor/ }).click();
  await admin.getByTestId('ca-whatif-app').click();
  await admin.getByRole('option', { name: 'Admin center' }).click();
  await admin.getByTestId('ca-whatif-ip').fill('198.51.100.7');
  await admin.getByTestId('ca-whatif-evaluate').click();
  await expect(admin.getByTestId('ca-decision')).toHaveAttribute('data-decision', 'allowed');
  await expect(admin.getByTestId('ca-report-only-would-block')).toBeVisible();
  const applied = admin.getByTestId('ca-applied-row').filter({ hasText: ADMIN_POLICY });
  await expect(applied).toHaveAttribute('data-result', 'failure');
  await expect(applied).toContainText('Not satisfied');
  await expect(applied).toContainText('Blocked by a policy');
  await expect(applied.getByTestId('ca-result-report-only')).toBeVisible();
  // Lena's policy is for her and the sharer app only: it does not apply, and the server says why.
  const lenaPolicy = admin.getByTestId('ca-not-applied-row').filter({ hasText: SHARER_POLICY });
  await expect(lenaPolicy).toBeVisible();
  await expect(lenaPolicy.getByRole('cell').nth(1)).not.toHaveText('—');
  await pageShot(admin, 'ca-05-what-if-outside');

  // From the office, the admin center policy does not apply either.
  await admin.getByTestId('ca-whatif-ip').fill('203.0.113.25');
  await admin.getByTestId('ca-whatif-evaluate').click();
  await expect(admin.getByTestId('ca-not-applied-row').filter({ hasText: ADMIN_POLICY })).toBeVisible();
  await expect(admin.getByTestId('ca-report-only-would-block')).toBeHidden();
  await pageShot(admin, 'ca-06-what-if-office');

  // Lena signs in to the sharer app from outside the office: refused, naming the policy.
  const lena = await (await browser.newContext()).newPage();
  await lena.goto('/share');
  await lena.getByRole('button', { name: 'Sign in', exact: true }).click();
  await lena.waitForURL(/\/signin\//);
  await lena.getByLabel('Email').fill('sharer@contoso.example');
  await lena.getByLabel('Password').fill(PASSWORD);
  await lena.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(lena.locator('body')).toContainText(SHARER_POLICY);

  // A fresh administrator sign-in is evaluated too (allowed; the Report-only policy is not satisfied).
  const again = await (await browser.newContext()).newPage();
  await signIn(again, '/admin/reports/sign-ins', 'admin@contoso.example');

  // The sign-in log: both decisions, newest first, and the details of Lena's refusal.
  await admin.goto('/admin/reports/sign-ins');
  await expect(admin.getByTestId('sign-ins-table')).toBeVisible();
  await expect(admin.getByTestId('sign-in-row').filter({ hasText: 'Lena Fischer' }).first()).toHaveAttribute(
    'data-decision',
    'blocked',
  );
  const priya = admin.getByTestId('sign-in-row').filter({ hasText: 'Priya Raman' }).first();
  await expect(priya).toHaveAttribute('data-decision', 'allowed');
  await expect(priya).toHaveAttribute('data-app', 'admin');
  await shot(admin, 'ca-07-sign-in-log');

  await admin.getByTestId('sign-ins-decision').click();
  await admin.getByRole('option', { name: 'Blocked' }).click();
  await expect(admin).toHaveURL(/decision=blocked/);
  await expect(admin.getByTestId('sign-in-row').filter({ hasText: 'Priya Raman' })).toHaveCount(0);
  const blocked = admin.getByTestId('sign-in-row').filter({ hasText: 'Lena Fischer' }).first();
  await expect(blocked.getByTestId('sign-in-unmet')).toHaveText('Blocked by a policy');
  await blocked.getByTestId('sign-in-details-button').click();
  const details = admin.getByTestId('sign-in-details');
  await expect(details).toContainText('Sharer web app');
  const failed = details.getByTestId('ca-applied-row').filter({ hasText: SHARER_POLICY });
  await expect(failed).toHaveAttribute('data-result', 'failure');
  await expect(details.getByTestId('ca-not-applied-row').filter({ hasText: ADMIN_POLICY })).toBeVisible();
  await shot(admin, 'ca-08-sign-in-details');
  await admin.keyboard.press('Escape');

  // The office cannot go while policies use it: the dialog says which.
  await admin.goto(`${BASE}/locations`);
  await admin.getByRole('button', { name: `Delete ${OFFICE}` }).click();
  const deleteLocation = admin.getByTestId('ca-delete-location-dialog');
  await deleteLocation.getByRole('button', { name: 'Delete' }).click();
  await expect(deleteLocation.getByTestId('ca-location-in-use')).toContainText(SHARER_POLICY);
  await shot(admin, 'ca-09-location-in-use');
  await deleteLocation.getByRole('button', { name: 'Cancel' }).click();

  // Both policies are deleted (asked first), then the office.
  await admin.getByTestId('ca-tab-policies').click();
  for (const name of [ADMIN_POLICY, SHARER_POLICY]) {
    await admin.getByRole('button', { name: `Delete ${name}` }).click();
    await admin.getByTestId('ca-delete-policy-dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(admin.getByTestId('admin-notice')).toContainText(`Policy “${name}” deleted.`);
  }
  await expect(admin.getByTestId('ca-policies-empty')).toBeVisible();
  await admin.getByTestId('ca-tab-locations').click();
  await admin.getByRole('button', { name: `Delete ${OFFICE}` }).click();
  await admin.getByTestId('ca-delete-location-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(admin.getByTestId('ca-locations-empty')).toBeVisible();
});
