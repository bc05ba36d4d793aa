/**
 * An editor of the admin center with unsaved changes asks before it is left: the side menu,
 * the browser's Back, the breadcrumbs and Cancel get the app's dialog ("Stay on this page" keeps every field as it
 * was, "Leave without saving" goes), a reload or closing the tab gets the browser's own
 * question, and saving leaves without asking. An editor nobody changed is left freely, and so
 * is one whose changes were discarded; a page of two forms asks for either.
 */
import { expect as baseExpect, test } from '@playwright/test';
import { closeContexts, shot, signIn } from './support.js';

test.afterEach(closeContexts);

// Pages load lazily and the shared CI box is often busy: wait longer than the default for each step.
const expect = baseExpect.configure({ timeout: 30_000 });

test('an editor with unsaved changes asks before it is left; saved or untouched, it does not', async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/roles/new', 'admin@contoso.example');
  const name = admin.getByLabel('Name');
  await expect(name).toBeVisible();
  const guard = admin.getByTestId('leave-guard');
  const menu = admin.getByRole('navigation', { name: 'Admin center navigation' });

  // Untouched: the menu leaves at once, in the app (the page is not loaded again).
  await admin.evaluate(() => Object.assign(window, { sameDocument: true }));
  await menu.getByRole('link', { name: 'All users', exact: true }).click();
  await admin.waitForURL('**/admin/directory/users');
  await expect(admin.getByTestId('user-list')).toBeVisible();
  await expect(guard).toHaveCount(0);
  expect(await admin.evaluate(() => 'sameDocument' in window)).toBe(true);

  // Changed: the menu asks; Stay keeps the page and what was typed.
  await menu.getByRole('link', { name: 'Roles', exact: true }).click();
  await admin.getByRole('button', { name: 'Create custom role' }).click();
  await admin.waitForURL('**/admin/roles/new');
  const roleName = `Night desk ${Date.now().toString(36)}`;
  await name.fill(roleName);
  await admin.getByRole('checkbox', { name: 'View screen' }).check();
  await menu.getByRole('link', { name: 'All users', exact: true }).click();
  await expect(guard).toBeVisible();
  await expect(guard).toContainText('Leave without saving?');
  await expect(guard).toContainText('Your changes on this page have not been saved.');
  await shot(admin, 'admin-unsaved-01-asked');
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(guard).toHaveCount(0);
  expect(new URL(admin.url()).pathname).toBe('/admin/roles/new');
  await expect(name).toHaveValue(roleName);
  await expect(admin.getByRole('checkbox', { name: 'View screen' })).toBeChecked();

  // The browser's Back asks too (the page before, the roles list, was opened in the app).
  await admin.goBack();
  await expect(guard).toBeVisible();
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  expect(new URL(admin.url()).pathname).toBe('/admin/roles/new');
  await expect(name).toHaveValue(roleName);

  // The breadcrumbs ask too.
  await admin.getByRole('navigation', { name: 'You are here' }).getByRole('link', { name: 'Roles' }).click();
  await expect(guard).toBeVisible();
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  expect(new URL(admin.url()).pathname).toBe('/admin/roles/new');
  await expect(name).toHaveValue(roleName);

  // A reload or closing the tab gets the browser's question; dismissed, the page and its fields stay.
  const asked = new Promise<string>((resolve) => {
    admin.once('dialog', (dialog) => {
      resolve(dialog.type());
      void dialog.dismiss();
    });
  });
  await admin.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  expect(admin.isClosed()).toBe(false);
  await expect(name).toHaveValue(roleName);

  // Leave without saving goes where the menu pointed.
  await menu.getByRole('link', { name: 'Groups', exact: true }).click();
  await guard.getByRole('button', { name: 'Leave without saving' }).click();
  await admin.waitForURL('**/admin/directory/groups');
  await expect(admin.getByTestId('group-list')).toBeVisible();

  // Saving leaves for the new role's page without asking.
  await admin.goto('/admin/roles/new');
  await name.fill(roleName);
  await admin.getByRole('checkbox', { name: 'View screen' }).check();
  await admin.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(admin.getByTestId('admin-notice')).toContainText(`Role "${roleName}" created`);
  await expect(guard).toHaveCount(0);

  // The settings page holds two forms: a change in the first one asks too; discarded, nothing asks.
  await admin.goto('/admin/tenant/remote-help');
  const settings = admin.getByTestId('remote-help-settings').locator('form').first();
  await settings.getByLabel('Report retention').fill('45');
  await menu.getByRole('link', { name: 'Roles', exact: true }).click();
  await expect(guard).toBeVisible();
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(settings.getByLabel('Report retention')).toHaveValue('45');
  await settings.getByRole('button', { name: 'Discard changes' }).click();
  await menu.getByRole('link', { name: 'Roles', exact: true }).click();
  await admin.waitForURL('**/admin/roles');
  await expect(guard).toHaveCount(0);

  // A conditional access policy half made: its Cancel asks as well.
  await admin.goto('/admin/tenant/conditional-access/policies/new');
  await admin.getByLabel('Name').first().fill('Block unknown places');
  await admin.getByRole('button', { name: 'Cancel' }).click();
  await expect(guard).toBeVisible();
  await shot(admin, 'admin-unsaved-02-policy');
  await guard.getByRole('button', { name: 'Leave without saving' }).click();
  await admin.waitForURL('**/admin/tenant/conditional-access/policies');
});

test('a dialog asks before Back loses what it holds: what was typed, a token shown once', async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/directory/users', 'admin@contoso.example');
  await expect(admin.getByTestId('user-list')).toBeVisible();
  const guard = admin.getByTestId('leave-guard');
  const menu = admin.getByRole('navigation', { name: 'Admin center navigation' });

  // A new group half typed: Back asks, Stay keeps the dialog and its name.
  await menu.getByRole('link', { name: 'Groups', exact: true }).click();
  await admin.waitForURL('**/admin/directory/groups');
  await admin.getByRole('button', { name: 'New group' }).click();
  const dialog = admin.getByTestId('new-group-dialog');
  await dialog.getByLabel('Name').fill('Night shift');
  await admin.goBack();
  await expect(guard).toBeVisible();
  await expect(guard).toContainText('Leave without saving?');
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(guard).toHaveCount(0);
  expect(new URL(admin.url()).pathname).toBe('/admin/directory/groups');
  await expect(dialog.getByLabel('Name')).toHaveValue('Night shift');
  // The focus is back in the dialog, which is the modal one again (its buttons reachable by role).
  await expect(dialog.getByLabel('Name')).toBeFocused();
  // Cancelled, nothing is held any more.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await admin.goBack();
  await admin.waitForURL('**/admin/directory/users');
  await expect(guard).toHaveCount(0);

  // An enrollment token is shown once: Back asks in those words; Stay keeps it on the screen.
  await menu.getByRole('link', { name: 'Enrollment tokens', exact: true }).click();
  await admin.waitForURL('**/admin/devices/enrollment');
  await admin.getByRole('button', { name: 'Create token' }).click();
  const tokenDialog = admin.getByTestId('create-token-dialog');
  await tokenDialog.getByRole('button', { name: 'Create token' }).click();
  const token = tokenDialog.getByTestId('new-token');
  await expect(token).toBeVisible();
  const shown = await token.innerText();
  await admin.goBack();
  await expect(guard).toBeVisible();
  await expect(guard).toContainText('Leave before copying?');
  await expect(guard).toContainText('is not shown again');
  await shot(admin, 'admin-unsaved-03-shown-once');
  await guard.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(guard).toHaveCount(0);
  expect(new URL(admin.url()).pathname).toBe('/admin/devices/enrollment');
  await expect(token).toHaveText(shown);
  // Leave anyway goes back.
  await admin.goBack();
  await guard.getByRole('button', { name: 'Leave anyway' }).click();
  await admin.waitForURL('**/admin/directory/users');
  await expect(tokenDialog).toHaveCount(0);
});
