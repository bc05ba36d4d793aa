/**
 * Admin center: roles, assignments, Remote Help settings and compliance policies, in the
 * real apps. An administrator creates a custom role with View screen only (no Take full
 * control) and assigns it to a group with a new helper in it: that helper can now offer help,
 * and on the trust screen Full control is unavailable with the reason shown; after the
 * administrator adds Take full control, the reason is the sharer's web app instead. Turning
 * "Allow Remote Help to unenrolled devices" off in the settings page refuses the web sharer's
 * code entry with a clear message. A compliance policy is created and deleted from its page.
 */
import type { Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import { PASSWORD, closeContexts, shot, signIn } from './support.js';

// Long journeys on a shared, loaded machine: more time per journey and per step, no timed assertion.
test.describe.configure({ timeout: 420_000 });
const expect = baseExpect.configure({ timeout: 30_000 });

test.afterEach(closeContexts);

/** A JSON call with the page's session cookie and CSRF token (setup outside the sections under test). */
async function call(page: Page, method: string, path: string, body?: unknown) {
  const me = await page.request.get('/api/v1/me');
  const csrf = ((await me.json()) as { csrfToken: string }).csrfToken;
  const r = await page.request.fetch(path, {
    method,
    headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status(), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const permissionsOf = async (page: Page) =>
  ((await (await page.request.get('/api/v1/me')).json()) as { permissions: string[] }).permissions;

/** Helper gets a code in `helper`, the Contoso sharer enters it in a new context; both on the trust screen. */
async function join(helper: Page, sharer: Page) {
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = ((await codeBox.textContent()) ?? '').replace(/\D/g, '');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper.getByTestId('peer-card')).toBeVisible();
}

test('an administrator creates a custom role and an assignment, and that helper’s options change', async ({
  browser,
}) => {
  const unique = Date.now().toString(36);
  const groupName = `View-only desk ${unique}`;
  const roleName = `Help desk (view only) ${unique}`;
  const email = `viewdesk-${unique}@contoso.example`;

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/roles', 'admin@contoso.example');
  // The person and their group come from the directory (another section): set up through the API.
  const group = await call(admin, 'POST', '/api/v1/groups', { name: groupName, kind: 'user' });
  expect(group.status, JSON.stringify(group.body)).toBe(201);
  const created = await call(admin, 'POST', '/api/v1/users', {
    email,
    displayName: 'Vera Viewer',
    jobTitle: 'Help Desk Trainee',
    password: PASSWORD,
    groups: [(group.body.group as { id: string }).id],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);

  // Before: the new helper has no role at all, so no Give help and /help says why.
  const helper = await (await browser.newContext()).newPage();
  await signIn(helper, '/help', email);
  expect(await permissionsOf(helper)).toEqual([]);
  await expect(helper.getByTestId('no-helper-rights')).toBeVisible();
  await shot(helper, 'admin-roles-00-helper-without-role');
  await helper.goto('/');
  await expect(helper.getByTestId('get-help')).toBeVisible();
  await expect(helper.getByTestId('give-help')).toHaveCount(0);

  // The roles list: the three built-in roles, read-only.
  await admin.reload();
  const list = admin.getByTestId('role-list');
  for (const name of ['Administrator', 'Help Desk Operator', 'Read Only Operator']) {
    await expect(list.locator(`[data-role="${name}"]`)).toContainText('Built-in role');
  }
  await shot(admin, 'admin-roles-01-list');
  await list.getByRole('link', { name: 'Help Desk Operator' }).click();
  await expect(
    admin.getByTestId('permission-table').locator('[data-permission="remoteHelp.takeFullControl"]'),
  ).toHaveAttribute('data-allowed', 'true');
  await expect(admin.getByText('Built-in roles cannot be changed or deleted.')).toBeVisible();
  await expect(admin.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await shot(admin, 'admin-roles-02-built-in');

  // Create the custom role. Ticking Take full control ticks View screen too, and says so.
  await admin.goto('/admin/roles');
  await admin.getByRole('button', { name: 'Create custom role' }).click();
  await admin.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(admin.getByText('Enter a name.')).toBeVisible();
  await expect(admin.getByText('Choose at least one permission.')).toBeVisible();
  await admin.getByLabel('Name').fill(roleName);
  await admin.getByRole('checkbox', { name: 'Take full control' }).check();
  await expect(admin.getByRole('checkbox', { name: 'View screen' })).toBeChecked();
  await expect(admin.getByRole('checkbox', { name: 'View screen' })).toBeDisabled();
  await expect(admin.getByTestId('control-implies-view')).toBeVisible();
  await expect(admin.getByTestId('role-warning-needsOffer')).toBeVisible();
  await shot(admin, 'admin-roles-03-control-implies-view');
  await admin.getByRole('checkbox', { name: 'Take full control' }).uncheck();
  await expect(admin.getByRole('checkbox', { name: 'View screen' })).toBeChecked();
  await expect(admin.getByRole('checkbox', { name: 'View screen' })).toBeEnabled();
  await admin.getByRole('checkbox', { name: 'Offer remote assistance' }).check();
  await expect(admin.getByTestId('role-warning-needsOffer')).toHaveCount(0);
  await shot(admin, 'admin-roles-04-new-role');
  await admin.getByRole('button', { name: 'Create', exact: true }).click();

  await expect(admin.getByTestId('admin-notice')).toContainText(`Role "${roleName}" created`);
  const table = admin.getByTestId('permission-table');
  await expect(table.locator('[data-permission="remoteHelp.viewScreen"]')).toHaveAttribute('data-allowed', 'true');
  await expect(table.locator('[data-permission="remoteHelp.takeFullControl"]')).toHaveAttribute(
    'data-allowed',
    'false',
  );
  await shot(admin, 'admin-roles-05-role-created');

  // Assign it: members = the group with the new helper, scope = all users and devices.
  await admin.getByTestId('assignments-tab').click();
  await expect(admin.getByTestId('assignments-empty')).toBeVisible();
  await admin.getByRole('button', { name: 'Assign' }).click();
  await admin.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(admin.getByText('Choose at least one user group.')).toBeVisible();
  await admin.getByLabel('Assignment name').fill(`View-only desk ${unique}`);
  const members = admin.getByRole('combobox', { name: 'Search user groups for members' });
  await members.click();
  await members.pressSequentially(unique);
  await admin.getByRole('option', { name: new RegExp(groupName) }).click();
  await admin.getByRole('radio', { name: 'All users and devices' }).check();
  await shot(admin, 'admin-roles-06-assignment');
  await admin.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(admin.getByTestId('admin-notice')).toContainText('created');
  const row = admin.getByTestId('assignment-row');
  await expect(row).toContainText(groupName);
  await expect(row).toContainText('All users and devices');
  await shot(admin, 'admin-roles-07-assignments');

  // A role that an assignment gives cannot be deleted: the dialog names the assignment.
  await admin.getByRole('tab', { name: 'Properties' }).click();
  await admin.getByRole('button', { name: 'Delete' }).click();
  const dialog = admin.getByTestId('delete-role-dialog');
  await expect(dialog.getByTestId('role-in-use')).toContainText('cannot be deleted while a role assignment gives it');
  await expect(dialog.getByTestId('role-in-use')).toContainText(`View-only desk ${unique}`);
  await expect(dialog.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await shot(admin, 'admin-roles-08-delete-in-use');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // After: the helper is offered Give help; view only, and the trust screen says why not full control.
  await helper.reload();
  expect((await permissionsOf(helper)).sort()).toEqual(['remoteHelp.viewScreen', 'remoteTasks.offerRemoteAssistance']);
  await helper.getByTestId('give-help').click();
  await expect(helper.getByTestId('no-helper-rights')).toHaveCount(0);
  const sharer = await (await browser.newContext()).newPage();
  await signIn(sharer, '/share', 'sharer@contoso.example');
  await join(helper, sharer);
  await expect(helper.getByRole('button', { name: 'Full control' })).toBeDisabled();
  await expect(helper.getByTestId('full-control-unavailable')).toHaveText(/Your role does not allow full control/);
  await shot(helper, 'admin-roles-09-helper-view-only');
  // View only is allowed: the request reaches the sharer.
  await helper.getByRole('button', { name: 'View only' }).click();
  await expect(sharer.getByRole('button', { name: 'Allow' })).toBeVisible();
  await helper.getByRole('button', { name: 'Leave' }).first().click();
  await expect(helper.getByTestId('session-ended')).toBeVisible();

  // The administrator adds Take full control: the helper's reason changes to the sharer's web app.
  await admin.getByRole('button', { name: 'Edit' }).click();
  await admin.getByRole('checkbox', { name: 'Take full control' }).check();
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByTestId('admin-notice')).toContainText('saved');
  await expect(
    admin.getByTestId('permission-table').locator('[data-permission="remoteHelp.takeFullControl"]'),
  ).toHaveAttribute('data-allowed', 'true');
  await helper.goto('/help');
  await sharer.goto('/share');
  await join(helper, sharer);
  await expect(helper.getByTestId('full-control-unavailable')).toHaveText(/needs the Remote Help app/);
  await shot(helper, 'admin-roles-10-helper-with-control');
  await helper.getByRole('button', { name: 'Leave' }).first().click();

  // Deleting the assignment takes the role away; then the role itself can go.
  await admin.getByTestId('assignments-tab').click();
  await admin.getByRole('button', { name: `Delete View-only desk ${unique}` }).click();
  await expect(admin.getByTestId('delete-assignment-dialog')).toContainText(groupName);
  await admin.getByTestId('delete-assignment-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(admin.getByTestId('assignments-empty')).toBeVisible();
  expect(await permissionsOf(helper)).toEqual([]);
  await helper.goto('/help');
  await expect(helper.getByTestId('no-helper-rights')).toBeVisible();
  await admin.getByRole('tab', { name: 'Properties' }).click();
  await admin.getByRole('button', { name: 'Delete' }).click();
  await admin.getByTestId('delete-role-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(admin.getByTestId('role-list')).toBeVisible();
  await expect(admin.getByTestId('admin-notice')).toContainText(`Role "${roleName}" deleted`);
  await expect(admin.locator(`[data-role="${roleName}"]`)).toHaveCount(0);
});

test('turning unenrolled devices off in the settings page refuses the web sharer with a clear message', async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/tenant/remote-help', 'admin@contoso.example');
  const before = (await call(admin, 'GET', '/api/v1/tenant/settings')).body.settings;
  try {
    // The organization's settings form (the agent-update form below it has its own Save).
    const settings = admin.getByTestId('remote-help-settings').locator('form').first();
    await expect(settings.getByRole('switch', { name: 'Enable Remote Help' })).toBeChecked();
    await expect(settings.getByRole('radio', { name: /Server default \(10 minutes\)/ })).toBeChecked();
    await expect(settings.getByRole('button', { name: 'Save' })).toBeDisabled();
    await shot(admin, 'admin-settings-01');

    // Out-of-range values are caught before anything is sent.
    await settings.getByLabel('Report retention').fill('0');
    await settings.getByRole('radio', { name: 'Custom' }).check();
    await settings.getByRole('textbox', { name: 'Lifetime' }).fill('90');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(settings.getByText('Enter 1 to 3650 days.')).toBeVisible();
    await expect(settings.getByText('Enter 1 to 60 minutes.')).toBeVisible();
    await shot(admin, 'admin-settings-02-invalid');
    await settings.getByRole('button', { name: 'Discard changes' }).click();

    // Turning Remote Help off asks first (it ends live sessions); cancelled here.
    await settings.getByRole('switch', { name: 'Enable Remote Help' }).click();
    await settings.getByRole('button', { name: 'Save' }).click();
    const confirm = admin.getByTestId('confirm-remote-help-off');
    await expect(confirm).toContainText('Every live session in your organization ends now');
    await shot(admin, 'admin-settings-03-confirm-off');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await settings.getByRole('button', { name: 'Discard changes' }).click();

    // Unenrolled devices off, saved.
    await settings.getByRole('switch', { name: 'Allow Remote Help to unenrolled devices' }).click();
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(admin.getByTestId('admin-notice')).toHaveText('Settings saved.');
    await shot(admin, 'admin-settings-04-saved');
    await admin.reload();
    await expect(settings.getByRole('switch', { name: 'Allow Remote Help to unenrolled devices' })).not.toBeChecked();

    // The web sharer's code entry is refused with the clear message; the helper's code stays waiting.
    const helper = await (await browser.newContext()).newPage();
    await signIn(helper, '/help', 'helper@contoso.example');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    const code = ((await codeBox.textContent()) ?? '').replace(/\D/g, '');
    const sharer = await (await browser.newContext()).newPage();
    await signIn(sharer, '/share', 'sharer@contoso.example');
    await sharer.getByLabel('Security code').fill(code);
    await sharer.getByRole('button', { name: 'Submit' }).click();
    await expect(sharer.getByRole('alert')).toContainText(
      'Your organization allows Remote Help only on devices it manages',
    );
    await expect(sharer.getByTestId('peer-card')).toHaveCount(0);
    await expect(helper.getByTestId('security-code')).toBeVisible();
    await shot(sharer, 'admin-settings-05-sharer-refused');
    await helper.getByRole('button', { name: 'Cancel' }).click();
    await expect(helper.getByTestId('session-ended')).toBeVisible();
    await helper.goto('/help');

    // And back on in the page: the same sharer joins again.
    await settings.getByRole('switch', { name: 'Allow Remote Help to unenrolled devices' }).click();
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect(admin.getByTestId('admin-notice')).toHaveText('Settings saved.');
    await join(helper, sharer);
  } finally {
    // Whatever happened above, later journeys need the demo organization as it was.
    await call(admin, 'PUT', '/api/v1/tenant/settings', before);
  }
});

test('an administrator creates a compliance policy for device groups and deletes it', async ({ browser }) => {
  const unique = Date.now().toString(36);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/tenant/compliance', 'admin@contoso.example');
  const lab = await call(admin, 'POST', '/api/v1/groups', { name: `Lab machines ${unique}`, kind: 'device' });
  expect(lab.status).toBe(201);
  await admin.reload();
  const page = admin.getByTestId('compliance-policies');
  await expect(page.getByTestId('compliance-summary')).toBeVisible();
  await shot(admin, 'admin-compliance-01-list');

  await page.getByRole('button', { name: 'Create policy' }).click();
  const editor = admin.getByTestId('policy-editor');
  await editor.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(editor.getByText('Turn on at least one rule.')).toBeVisible();
  await editor.getByLabel('Name').fill(`Lab baseline ${unique}`);
  await editor.getByRole('switch', { name: 'Minimum macOS version' }).click();
  await editor.getByRole('textbox', { name: 'Version' }).fill('14; DROP');
  await editor.getByRole('switch', { name: 'Not a virtual machine' }).click();
  await editor.getByRole('switch', { name: 'Checked in recently' }).click();
  await editor.getByLabel('Days since the last check-in').fill('14');
  await editor.getByRole('radio', { name: 'Selected device groups' }).check();
  await editor.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(editor.getByText('Enter a version such as 14.5 or 10.0.19045.')).toBeVisible();
  await expect(editor.getByText('Choose at least one device group, or All devices.')).toBeVisible();
  await editor.getByRole('textbox', { name: 'Version' }).fill('14.5');
  await editor.getByRole('combobox', { name: 'Search device groups' }).click();
  await editor.getByRole('combobox', { name: 'Search device groups' }).pressSequentially(unique);
  await admin.getByRole('option', { name: new RegExp(`Lab machines ${unique}`) }).click();
  await shot(admin, 'admin-compliance-02-editor');
  await editor.getByRole('button', { name: 'Create', exact: true }).click();

  await expect(admin.getByTestId('admin-notice')).toContainText(`Policy "Lab baseline ${unique}" created`);
  const row = admin.locator(`[data-policy="Lab baseline ${unique}"]`);
  await expect(row).toContainText('macOS 14.5 or later');
  await expect(row).toContainText('Not a virtual machine');
  await expect(row).toContainText('Checked in within 14 days');
  await expect(row).toContainText(`Lab machines ${unique}`);
  // The group has no devices: the policy applies to none, so both counts are 0.
  await expect(row.getByTestId('policy-compliant')).toHaveText('0');
  await expect(row.getByTestId('policy-noncompliant')).toHaveText('0');
  await shot(admin, 'admin-compliance-03-created');

  await row.getByRole('button', { name: `Delete Lab baseline ${unique}` }).click();
  await admin.getByTestId('delete-policy-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(admin.getByTestId('admin-notice')).toContainText('deleted');
  await expect(row).toHaveCount(0);
});
